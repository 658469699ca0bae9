#pragma once
// `pipe run`: load → select → plan → schedule → report, one named pass per line.
#include "runner/backend/backend.hpp"
#include "runner/backend/container_actions.hpp"
#include "runner/engine/interruption.hpp"
#include "runner/engine/scheduler.hpp"
#include "runner/job/run_options.hpp"
#include "workflow/base/exit_code.hpp"

namespace pipeline::runner::job {

/// Backends a caller supplies in place of the host and container ones (tests drive the engine through a fake).
struct RunBackends {
  Backend* jobs = nullptr;                        // every job runs here; null: as the options choose
  ContainerActions* container_actions = nullptr;  // Docker actions' engine when `jobs` is set
};

/// How one job of a run ended, as the summary shows it.
struct JobResult {
  std::string name;
  engine::NodeResult result = engine::NodeResult::success;
};

/// What one run did; the command that started it turns this into output and an exit code.
struct RunResult {
  ExitCode status = k_exit_success;  // or k_exit_job_failed, k_exit_usage (bad input), k_exit_interrupted
  int signal = 0;                    // with k_exit_interrupted: the signal that stopped the run
  std::vector<JobResult> jobs;       // every job the summary shows, in its order
  std::vector<std::string> errors;   // for `pipe: error: …`: why the run could not start, a report not written
  std::string run_id;                // the run record's id; empty when no record was kept (a dry run)

  /// The process exit code: the status, or 128 + the signal when the run was interrupted.
  [[nodiscard]] int exit_code() const { return status == k_exit_interrupted ? k_exit_signal_base + signal : status; }
};

/// Runs what `options` selects. A closed standard output interrupts the run too. Diagnostics of
/// the workflows and the run's own output are written as the run goes; `errors` are left to the caller.
[[nodiscard]] RunResult run(const RunOptions& options, engine::Interruption& interruption,
                            const RunBackends& backends = {});

}  // namespace pipeline::runner::job
