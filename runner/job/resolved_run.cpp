#include "runner/job/resolved_run.hpp"

#include <filesystem>

#include "runner/job/act_habits.hpp"
#include "runner/job/action_step.hpp"

namespace pipeline::runner::job {

namespace fs = std::filesystem;

namespace {

/// Resolves called workflows and actions; a dry run reads only the workspace and the cache.
actions::ResolverOptions plan_resolver_options(const RunOptions& options) {
  auto settings = resolver_options(options);
  if (options.dry_run) {
    settings.network = actions::Network::offline;
  }
  return settings;
}

}  // namespace

std::string repository_dir(const RunOptions& given) {
  return fs::absolute(given.directory).lexically_normal().string();
}

Result<ResolvedRun> resolve_run(const RunOptions& given) {
  ResolvedRun run;
  run.dir = repository_dir(given);
  // config: ~/.config/pipe/config.yml and .pipe.yml fill what no flag set.
  auto configured = apply_config(given, run.dir);
  if (!configured) {
    return configured.error();
  }
  run.options = std::move(*configured);
  const RunOptions& options = run.options;
  run.workspace = options.workspace_override.empty() ? run.dir : options.workspace_override;
  auto repo = git::read_repository(run.dir, remote_name(options));
  run.repo = repo ? *repo : git::RepoInfo{};
  apply_repository_flags(options, run.repo);
  if (run.repo.workspace.empty()) {
    run.repo.workspace = run.dir;
  }
  auto vars = collect_vars(options, run.dir);
  if (!vars) {
    return vars.error();
  }
  run.vars = std::move(*vars);
  auto env_file = collect_env_files(options, run.dir);
  if (!env_file) {
    return env_file.error();
  }
  run.env_file = std::move(*env_file);
  run.resolver = plan_resolver_options(options);
  return run;
}

}  // namespace pipeline::runner::job
