#pragma once
// The schedule pass of `pipe run`: each job starts as soon as its own needs have ended; its `if:`,
// matrix and display name are evaluated when its turn comes, and a job that calls a workflow runs
// the called jobs in a scheduler of their own.
#include <vector>

#include "runner/engine/scheduler.hpp"
#include "runner/job/job_runner.hpp"
#include "runner/job/run_plan.hpp"

namespace pipeline::runner::job {

/// Runs every job of `plan` through `scheduler` with what `state` shares; `cancel` cancels the
/// run. Returns each node's report (none when no workflow was selected).
[[nodiscard]] std::vector<engine::NodeReport> schedule_jobs(const RunOptions& options, RunState& state, Plan& plan,
                                                            engine::Scheduler& scheduler, CancelToken& cancel);

}  // namespace pipeline::runner::job
