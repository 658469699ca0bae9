#pragma once
// `pipe hook run`: the selected jobs on exactly what a commit or push would contain.
#include <chrono>
#include <functional>
#include <optional>
#include <istream>
#include <string>
#include <vector>

#include "runner/hook/backend_choice.hpp"
#include "runner/hook/install.hpp"
#include "runner/job/run_options.hpp"
#include "workflow/model.hpp"

namespace pipeline::runner::hook {

/// What `pipe hook run` was asked to do.
struct HookRunOptions {
  Stage stage = Stage::pre_commit;
  std::vector<std::string> jobs;  // empty: the config's hook.jobs, else every job
  std::string workflow;           // a file or directory in the repository; empty: config, else .github/workflows
  std::string directory = ".";
  // unset: config hook.backend, else docker when warm was asked for, else automatic: containers
  // when the engine answers and the jobs' images are here, else the host (DefaultBackend)
  std::optional<job::BackendChoice> backend;
  std::optional<bool> warm;                      // unset: config hook.warm, else true (in containers)
  std::optional<std::chrono::seconds> warm_idle;  // unset: config hook.warm-idle, else k_default_warm_idle
};

/// How long a warm hook's container waits unused for the next commit before it goes.
inline constexpr std::chrono::seconds k_default_warm_idle{600};

/// Runs the jobs `options` selects and returns the exit code (job::run, with Ctrl-C handling
/// set up by the caller only when jobs do run, so a skipped hook starts no thread).
using RunJobs = std::function<int(const job::RunOptions& options)>;

/// Runs the hook: exports the staged index (pre-commit) or each pushed commit (pre-push, refs
/// read from `push_input`) into a temporary workspace, skips at once the workflows whose path
/// filters match none of the changed files, runs the rest there, and removes the export.
/// With the backend left to the default, `probe` (null: the engine DOCKER_HOST names) says
/// whether the jobs can run in containers. Returns the exit code: 0 lets the commit or push through.
[[nodiscard]] int run_hook(const HookRunOptions& options, std::istream& push_input, const RunJobs& run_jobs,
                           EngineProbe* probe = nullptr);

/// Whether a workflow's push (else pull_request) path filters let `changed` through; when they
/// do not, `why` says which filter stopped it.
[[nodiscard]] bool paths_match(const workflow::Workflow& wf, const std::vector<std::string>& changed,
                               std::string& why);

}  // namespace pipeline::runner::hook
