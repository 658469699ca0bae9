#pragma once
// The plan pass of `pipe run`: the selected workflows' jobs as scheduler nodes, the workflows
// they call followed before anything runs, and the plan a dry run prints.
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "runner/engine/scheduler.hpp"
#include "runner/job/job_runner.hpp"
#include "runner/job/run_select.hpp"
#include "runner/output/masker.hpp"
#include "workflow/plan/call_tree.hpp"

namespace pipeline::runner::job {

/// A job of the plan: which workflow it belongs to and its node's key.
struct PlannedJob {
  const SelectedWorkflow* selected = nullptr;
  const workflow::Job* job = nullptr;
  std::string key;
};

/// Everything a run's node callbacks share.
struct Plan {
  std::vector<SelectedWorkflow> workflows;
  std::vector<PlannedJob> jobs;                  // by scheduler index for parent nodes
  std::map<std::string, std::size_t> job_index;  // key -> jobs index
  std::mutex mutex;
  std::map<std::string, JobInstance> instances;  // child node id -> instance
  std::map<std::string, EnvList> outputs;        // job key -> outputs
};

/// The scheduler's worker count: `-p`, else the number of cores.
[[nodiscard]] std::size_t worker_count(const RunOptions& options);

/// Adds one node per job of `plan.workflows`, in an order where every need comes first.
[[nodiscard]] Result<void> add_nodes(Plan& plan, engine::Scheduler& scheduler);

/// Every selected workflow's jobs with the jobs they call, and the errors of all of them.
struct PlannedCalls {
  std::vector<std::vector<workflow::plan::PlanJob>> jobs;  // by plan.workflows index
  std::string errors;
};

/// Follows every `uses:` call of the plan, so a called workflow asking for more permissions than
/// its caller holds stops the run before anything starts.
[[nodiscard]] PlannedCalls plan_all_calls(const Plan& plan, RunState& state);

/// Prints the plan as text, through the masker like every other output of a run.
void print_plan(const Plan& plan, const std::vector<std::vector<workflow::plan::PlanJob>>& calls,
                const output::Masker& masker);

}  // namespace pipeline::runner::job
