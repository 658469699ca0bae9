#pragma once
// Called workflows before a run: every `jobs.<id>.uses:` followed to the depth the run
// supports, so the plan (`--dry-run`, `pipe graph`) shows the called jobs as the run will name
// them, and a called workflow asking for more permissions than its caller holds stops the run
// before anything starts. Reads files and the action cache; fetches only through the resolver
// it is given (an offline one in a dry run and for `pipe graph`).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/job/job_runner.hpp"
#include "workflow/expr/value.hpp"
#include "workflow/model.hpp"
#include "workflow/plan/call_tree.hpp"
#include "workflow/plan/job_graph.hpp"

namespace pipeline::runner::job {

/// A workflow pipe was asked to run, with what its jobs evaluate against.
struct PlanRoot {
  const workflow::Workflow* workflow = nullptr;
  const workflow::plan::JobGraph* graph = nullptr;
  std::string event;
  nlohmann::json payload;
  workflow::expr::Value inputs;
};

/// The planned jobs of one workflow and the errors that must stop the run.
struct CallPlan {
  std::vector<workflow::plan::PlanJob> jobs;
  std::string errors;  // formatted diagnostics, each `file:line:col: error: ...` with its source line
};

/// Plans `root`'s jobs and, depth first, the jobs of every workflow they call. `run` gives the
/// github context, vars, secrets, workspace and resolver; a remote workflow the resolver cannot
/// provide is a note on its caller, not an error.
[[nodiscard]] CallPlan plan_calls(RunState& run, const PlanRoot& root);

/// plan_calls for `pipe graph`: the repository at `dir` gives the github context; no secrets,
/// no variables, called workflows only from the workspace and the action cache.
[[nodiscard]] CallPlan plan_calls_offline(const workflow::Workflow& wf, const workflow::plan::JobGraph& graph,
                                          const std::string& dir);

}  // namespace pipeline::runner::job
