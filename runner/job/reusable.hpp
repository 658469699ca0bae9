#pragma once
// The caller's side of a reusable workflow (`jobs.<id>.uses:`): finding and loading the called
// workflow, its typed inputs and its secrets, and the outputs it hands back.
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "runner/job/job_runner.hpp"
#include "workflow/expr/evaluator.hpp"
#include "workflow/model.hpp"

namespace pipeline::runner::job {

/// GitHub's limit on how deep reusable workflows may call each other (the top workflow included).
inline constexpr int k_max_workflow_depth = 10;

/// A called workflow, ready to run: the workflow and the contexts its jobs see.
struct CalledWorkflow {
  std::shared_ptr<const workflow::Workflow> workflow;
  workflow::expr::Value inputs;   // typed as `on.workflow_call.inputs` declares
  workflow::expr::Value secrets;  // passed explicitly, or every secret with `inherit`
};

/// Where the workflow `uses` names is: a file in the workspace, or in a checkout of its
/// repository that `run.resolver` provides (fetched, or only from the cache when it is offline).
/// A `$/` path names the repository of the file `uses` is written in.
[[nodiscard]] Result<std::string> called_workflow_file(RunState& run, const workflow::Located<std::string>& uses);

/// Loads a called workflow; an invalid file or one without `on.workflow_call` is an error.
[[nodiscard]] Result<std::shared_ptr<const workflow::Workflow>> read_called_workflow(
    const std::string& file, const workflow::Located<std::string>& uses);

/// The workflows a run calls, each read once by file: the checks made when the run starts and the
/// jobs that call them later see the same text, as on GitHub, which reads them all at the start.
class CalledWorkflows {
public:
  /// The workflow in `file`, read by read_called_workflow on first use; errors are not kept.
  [[nodiscard]] Result<std::shared_ptr<const workflow::Workflow>> read(const std::string& file,
                                                                       const workflow::Located<std::string>& uses);

private:
  std::mutex m_mutex;
  std::map<std::string, std::shared_ptr<const workflow::Workflow>> m_read;
};

/// The called workflow in `file`: from `run.called_workflows` when the run keeps them, else read now.
[[nodiscard]] Result<std::shared_ptr<const workflow::Workflow>> called_workflow(
    RunState& run, const std::string& file, const workflow::Located<std::string>& uses);

/// Evaluates the caller's `with:` and `secrets:` for the loaded `called` workflow.
[[nodiscard]] Result<CalledWorkflow> bind_call(RunState& run, const JobInstance& caller,
                                               std::shared_ptr<const workflow::Workflow> called);

/// How the run names a job: its `name:` evaluated (or its id), with the matrix values in
/// parentheses unless the name already uses `matrix.`; without the caller's prefix.
[[nodiscard]] std::string job_display_name(const workflow::Job& job, const nlohmann::ordered_json& matrix,
                                           workflow::expr::MapContext& ctx);

/// Loads the workflow `caller.job->uses` names and evaluates its `with:` and `secrets:`.
[[nodiscard]] Result<CalledWorkflow> load_called_workflow(RunState& run, const JobInstance& caller);

/// `on.workflow_call.outputs` evaluated against the called jobs (`jobs.<id>.result/outputs`).
[[nodiscard]] EnvList called_workflow_outputs(const workflow::Workflow& called, const workflow::expr::Value& jobs,
                                              const CalledWorkflow& call, const RunState& run);

}  // namespace pipeline::runner::job
