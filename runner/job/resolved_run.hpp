#pragma once
// The resolve pass of `pipe run`: everything a run is given besides its workflows, read once into
// one value that the later passes only read.
#include <string>
#include <vector>

#include "actions/resolver.hpp"
#include "runner/git/git_context.hpp"
#include "runner/job/contexts.hpp"
#include "runner/job/run_inputs.hpp"
#include "runner/job/run_options.hpp"

namespace pipeline::runner::job {

/// A run's settings and inputs, resolved: the command line over the config files, the
/// repository, variables, dotenv files and where actions come from.
struct ResolvedRun {
  RunOptions options;                 // the command line with the config files applied
  std::string dir;                    // the repository, absolute
  std::string workspace;              // where jobs run: the repository, or a hook's export
  git::RepoInfo repo;                 // what git says of the repository (its workspace is `dir` when it is none)
  EnvList vars;                       // the `vars` context
  EnvList env_file;                   // variables from --env-file and `.env`, under every job's env
  actions::ResolverOptions resolver;  // where `uses:` come from; the cache only in a dry run
};

/// The absolute repository directory of a run (`-C`).
[[nodiscard]] std::string repository_dir(const RunOptions& given);

/// Resolves what `given` names: config, then repository, variables and env files (secrets
/// are read once the jobs are known, so Vault is asked only for what they can read). The first problem is the error.
[[nodiscard]] Result<ResolvedRun> resolve_run(const RunOptions& given);

}  // namespace pipeline::runner::job
