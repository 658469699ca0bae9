#pragma once
// The caller's side of a reusable workflow (`jobs.<id>.uses:`): finding and loading the called
// workflow, its typed inputs and its secrets, and the outputs it hands back.
#include <memory>
#include <string>

#include "runner/engine/job_runner.hpp"
#include "workflow/model.hpp"

namespace pipeline::runner::engine {

/// GitHub's limit on how deep reusable workflows may call each other (the top workflow included).
inline constexpr int k_max_workflow_depth = 10;

/// A called workflow, ready to run: the workflow and the contexts its jobs see.
struct CalledWorkflow {
  std::shared_ptr<const workflow::Workflow> workflow;
  workflow::expr::Value inputs;   // typed as `on.workflow_call.inputs` declares
  workflow::expr::Value secrets;  // passed explicitly, or every secret with `inherit`
};

/// Loads the workflow `caller.job->uses` names and evaluates its `with:` and `secrets:`.
[[nodiscard]] Result<CalledWorkflow> load_called_workflow(RunState& run, const JobInstance& caller);

/// `on.workflow_call.outputs` evaluated against the called jobs (`jobs.<id>.result/outputs`).
[[nodiscard]] EnvList called_workflow_outputs(const workflow::Workflow& called, const workflow::expr::Value& jobs,
                                              const CalledWorkflow& call, const RunState& run);

}  // namespace pipeline::runner::engine
