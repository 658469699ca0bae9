#pragma once
// What a run is given besides workflows: secrets, variables, inputs and the event payload.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/job/contexts.hpp"
#include "runner/job/run_options.hpp"
#include "runner/git/git_context.hpp"
#include "runner/output/masker.hpp"
#include "workflow/expr/value.hpp"
#include "workflow/model.hpp"
#include "workflow/secret_refs.hpp"

namespace pipeline::runner::job {

/// A secret's value and where it came from (`-s`, a file, the environment).
struct SecretEntry {
  std::string name;
  std::string value;
  std::string origin;
};

/// The options with the config files applied: -P flags first then the config's platforms;
/// backend, parallel and the dotenv file lists from the config when no flag set them; the
/// config's vault settings and `secrets:` lines. Config problems are one error, formatted.
[[nodiscard]] Result<RunOptions> apply_config(const RunOptions& given, const std::string& dir);

/// Whether collecting secrets may reach outside the machine's files: Vault and the terminal.
enum class SecretReach {
  everywhere,  // a run: Vault is read, `-s NAME` may ask on the terminal
  local_only,  // a dry run: Vault lines and settings are only checked; nothing is asked
};

/// Secrets, later sources winning: secrets files (default `.secrets`), Vault (config lines
/// then --vault-secret), GITHUB_TOKEN from the environment when asked, then -s. `-s NAME`
/// without such a variable asks on the terminal when there is one. With
/// SecretReach::local_only, Vault secrets and unasked terminal secrets are left out. With
/// `needs`, Vault is asked only for secrets those references can read (see needed_requests).
[[nodiscard]] Result<std::vector<SecretEntry>> collect_secrets(const RunOptions& options, const std::string& dir,
                                                               SecretReach reach = SecretReach::everywhere,
                                                               const workflow::SecretRefs* needs = nullptr);

/// The files given, or `<dir>/<default_name>` when none was given and it exists.
[[nodiscard]] std::vector<std::string> files_or_default(const std::vector<std::string>& given, const std::string& dir,
                                                      const std::string& default_name);

/// Dotenv files (relative to `dir`) read in order, later ones winning.
[[nodiscard]] Result<EnvList> read_dotenv_files(const std::vector<std::string>& files, const std::string& dir);

/// Variables from --var, --var-file and the default `.vars`.
[[nodiscard]] Result<EnvList> collect_vars(const RunOptions& options, const std::string& dir);

/// Variables from --env-file and the default `.env`, given to every job's env.
[[nodiscard]] Result<EnvList> collect_env_files(const RunOptions& options, const std::string& dir);

/// The `inputs` context of a workflow for `event`: defaults typed as declared, then --input.
[[nodiscard]] Result<workflow::expr::Value> collect_inputs(const workflow::Workflow& wf, const std::string& event,
                                                           const RunOptions& options);

/// The event payload: --event-path, or one synthesized with the fields GitHub sends.
[[nodiscard]] Result<nlohmann::json> event_payload(const RunOptions& options, const std::string& event,
                                                   const git::RepoInfo& repo, const std::string& dir,
                                                   const workflow::expr::Value& inputs);

/// The run-wide part of the `github` context.
[[nodiscard]] nlohmann::json github_context(const git::RepoInfo& repo, const std::string& event_name,
                                            const nlohmann::json& payload, const std::string& run_number_id,
                                            const workflow::Workflow& wf, const std::string& token);

}  // namespace pipeline::runner::job
