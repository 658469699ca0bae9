#pragma once
// The select pass of `pipe run`: the loaded workflows the event starts, each with its event
// payload, inputs and job graph; a notice says why each other one does not run.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/engine/reporter.hpp"
#include "runner/job/resolved_run.hpp"
#include "workflow/expr/value.hpp"
#include "workflow/loader.hpp"
#include "workflow/plan/job_graph.hpp"
#include "workflow/plan/triggers.hpp"

namespace pipeline::runner::job {

/// A workflow the event starts, with what its jobs evaluate against.
struct SelectedWorkflow {
  const workflow::Workflow* workflow = nullptr;
  std::string event;
  nlohmann::json payload;
  workflow::expr::Value inputs;
  workflow::plan::JobGraph graph;
};

/// The files path filters see when the options name none: the uncommitted changes of the tree
/// in `dir`, else the files HEAD's commit changed.
[[nodiscard]] std::vector<std::string> tree_changed_files(const std::string& dir);

/// The event `wf` is matched against: `options.event`, else `push` (or a named workflow's first
/// trigger), on the repository's ref, with `changed` as the changed files where GitHub checks paths.
[[nodiscard]] workflow::plan::Event simulated_event(const workflow::Workflow& wf, const RunOptions& options,
                                                   const git::RepoInfo& repo, const std::vector<std::string>& changed);

/// Keeps the workflows of `set` the event starts (all of them under WorkflowSelection::all),
/// narrowed to `options.jobs` and what they need; posts why the others do not run.
[[nodiscard]] Result<std::vector<SelectedWorkflow>> select_workflows(const workflow::LoadedSet& set,
                                                                     const ResolvedRun& run, engine::Reporter& reporter);

}  // namespace pipeline::runner::job
