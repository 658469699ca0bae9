#pragma once
// Deployment environments: a job's `environment:` evaluated, the secrets, variables and env
// files scoped to it (over the repository's, as on GitHub), and the approval a protected one needs.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "runner/config/config.hpp"
#include "runner/job/job_runner.hpp"
#include "runner/job/run_inputs.hpp"
#include "runner/job/run_options.hpp"
#include "workflow/secret_refs.hpp"

namespace pipeline::runner::job {

/// `environments.<name>` of the config files, keyed by name; problems are one error with the
/// setting's `file:line`.
[[nodiscard]] Result<std::map<std::string, EnvironmentSettings>> environment_settings(const config::Config& cfg);

/// Whether jobs of `name` need an approval: `protected:` when the config says, else true for
/// `production` (any case).
[[nodiscard]] bool is_protected(const RunOptions& options, const std::string& name);

/// A job's `environment:` (a name, or {name, url}) evaluated; "" when it has none.
[[nodiscard]] Result<std::string> environment_name(const workflow::Job& job, workflow::expr::EvalContext& ctx);

/// The job's `environment.url` evaluated (after its steps, so it can use their outputs); "" when none.
[[nodiscard]] Result<std::string> environment_url(const workflow::Job& job, workflow::expr::EvalContext& ctx);

/// The secrets environment `name` adds: its secrets files (default `.secrets.<name>` when present)
/// then its Vault lines (only the requests `needs` can read, when given).
[[nodiscard]] Result<std::vector<SecretEntry>> environment_secrets(const RunOptions& options, const std::string& dir,
                                                                   const std::string& name, SecretReach reach,
                                                                   const workflow::SecretRefs* needs = nullptr);

/// The repository's secrets with the environment's on top, except that what the command line
/// gave (`-s`, --github-token-from-env) still wins; each entry keeps its origin.
[[nodiscard]] std::vector<SecretEntry> layer_secrets(std::vector<SecretEntry> repository,
                                                     const std::vector<SecretEntry>& environment);

/// The answer to "may this job deploy?".
enum class Approval {
  approved,     // not protected, --approve NAME, or yes on the terminal
  rejected,     // no on the terminal
  no_terminal,  // protected, not approved, and no terminal to ask on
};

/// Asks the user a yes/no question; nullopt when there is no terminal.
using AskYesNo = std::function<std::optional<bool>(const std::string& question)>;

/// Asks on /dev/tty (the controlling terminal, even when stdin and stdout are pipes).
[[nodiscard]] std::optional<bool> ask_on_terminal(const std::string& question);

/// What a run knows of its environments: approvals given, and each one's values once read.
class Environments {
public:
  Environments(const RunOptions& options, std::string dir, SecretReach reach, workflow::SecretRefs needs,
               std::vector<SecretEntry> repository_secrets, AskYesNo ask = ask_on_terminal);

  /// Whether `job` may start in environment `name`; asked once per environment, one question at a time.
  [[nodiscard]] Approval approve(const std::string& name, const std::string& job);

  /// The run's state with environment `name`'s secrets, vars and env files over the run's own;
  /// read once per environment, its secrets added to the masker.
  [[nodiscard]] Result<RunState> scoped(const RunState& run, const std::string& name);

private:
  /// What one environment adds, read once; laid over each job's own state.
  struct Values {
    std::vector<SecretEntry> secrets;
    EnvList vars;
    EnvList env_file;
  };
  Result<Values> read(const RunState& run, const std::string& name);

  const RunOptions& m_options;
  std::string m_dir;
  SecretReach m_reach;
  workflow::SecretRefs m_needs;
  std::vector<SecretEntry> m_repository_secrets;
  AskYesNo m_ask;
  std::mutex m_mutex;
  std::map<std::string, Approval> m_approvals;
  std::map<std::string, Result<Values>> m_values;
};

/// How a job's environment lets it start: with its scoped state, or not at all.
struct EnvironmentEntry {
  std::optional<RunState> state;  // the state with the environment's values; none: the run's own
  std::optional<JobOutcome> ended;  // set when the job must not start (rejected, or its values failed)
};

/// Evaluates the job's environment, asks for approval where it is protected and scopes its values.
[[nodiscard]] EnvironmentEntry enter_environment(RunState& run, const JobInstance& instance);

}  // namespace pipeline::runner::job
