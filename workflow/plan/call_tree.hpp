#pragma once
// A workflow's jobs together with the jobs of the workflows they call (`jobs.<id>.uses:`), as
// `pipe run --dry-run` and `pipe graph` show them: named as the run names them, before anything
// runs. Built by the engine (which can find called workflows); rendered here.
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::workflow::plan {

struct PlanCall;

/// One job of a planned workflow; a job that calls a workflow holds one PlanCall per matrix
/// combination (none when the called workflow could not be read; `note` says why).
struct PlanJob {
  std::string id;                  // the job id in its workflow
  std::string name;                // the id at the top; `caller / job` inside a called workflow
  std::vector<std::string> needs;  // ids of jobs of the same workflow, in the order written
  std::string uses;                // the called workflow as written; empty for a job with steps
  std::string note;                // why the called workflow's jobs are not shown
  std::vector<PlanCall> calls;
};

/// One run of a called workflow: the caller's name with its matrix values, and the called jobs.
struct PlanCall {
  std::string name;           // `call (linux)`
  std::string note;           // what the run will report for this call, such as a missing input
  std::vector<PlanJob> jobs;  // every need before the jobs that need it
};

/// One line per job (`deploy <- build, test`), the jobs of a called workflow indented under
/// their caller; identical to render_text for a workflow that calls none.
[[nodiscard]] std::string render_plan_text(const std::vector<PlanJob>& jobs);
/// Graphviz source: called workflows are clusters; a need on a caller is an edge from the
/// called jobs that end its workflow, a caller's needs lead to the called jobs that start it.
[[nodiscard]] std::string render_plan_dot(const std::vector<PlanJob>& jobs, std::string_view title);
/// Mermaid `flowchart LR` source with the same shape as render_plan_dot (subgraphs for calls).
[[nodiscard]] std::string render_plan_mermaid(const std::vector<PlanJob>& jobs);

}  // namespace pipeline::workflow::plan
