#include "runner/job/run_select.hpp"

#include "runner/job/run_inputs.hpp"
#include "workflow/plan/triggers.hpp"

namespace pipeline::runner::job {

namespace {

std::vector<std::string> changed_files(const std::string& dir) {
  if (auto dirty = git::uncommitted_changes(dir); dirty && !dirty->empty()) {
    return *dirty;
  }
  if (auto pushed = git::changed_files_for_push(dir); pushed) {
    return *pushed;
  }
  return {};
}

}  // namespace

std::vector<std::string> tree_changed_files(const std::string& dir) { return changed_files(dir); }

workflow::plan::Event simulated_event(const workflow::Workflow& wf, const RunOptions& options,
                                      const git::RepoInfo& repo, const std::vector<std::string>& changed) {
  workflow::plan::Event event;
  event.name = !options.event.empty() ? options.event
               : options.workflows.empty() || wf.find_trigger("push") ? std::string("push")
                                                                      : workflow::plan::select_default_event(wf);
  event.ref = repo.ref;
  if (event.name.rfind("pull_request", 0) == 0) {
    event.base_ref = repo.default_branch;
    event.action = "opened";
  }
  if (event.name == "push" || event.name.rfind("pull_request", 0) == 0) {
    event.changed_files = changed;
  }
  return event;
}

Result<std::vector<SelectedWorkflow>> select_workflows(const workflow::LoadedSet& set, const ResolvedRun& run,
                                                       engine::Reporter& reporter) {
  const RunOptions& options = run.options;
  const git::RepoInfo& repo = run.repo;
  std::vector<SelectedWorkflow> out;
  const auto changed = options.changed_files ? *options.changed_files : changed_files(run.dir);
  for (const auto& wf : set.workflows) {
    SelectedWorkflow s;
    s.workflow = &wf;
    const auto event = simulated_event(wf, options, repo, changed);
    s.event = event.name;
    const auto match = options.selection == WorkflowSelection::all ? workflow::plan::TriggerMatch{true, ""}
                                                                   : workflow::plan::match_trigger(wf, event);
    if (!match.runs) {
      engine::post_notice(reporter, "not running " + wf.path + ": " + match.reason);
      continue;
    }
    auto inputs = collect_inputs(wf, s.event, options);
    if (!inputs) {
      return inputs.error();
    }
    s.inputs = *inputs;
    auto payload = event_payload(options, s.event, repo, run.dir, s.inputs);
    if (!payload) {
      return payload.error();
    }
    s.payload = *payload;
    auto graph = workflow::plan::JobGraph::build(wf);
    if (!graph) {
      return Error{wf.path + ": " + graph.error().message};
    }
    if (!options.jobs.empty()) {
      std::vector<std::string> present;
      for (const auto& id : options.jobs) {
        if (graph->find(id)) {
          present.push_back(id);
        }
      }
      if (present.empty()) {
        continue;
      }
      auto sub = graph->subgraph_for(present);
      if (!sub) {
        return sub.error();
      }
      graph = std::move(sub);
    }
    s.graph = std::move(*graph);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace pipeline::runner::job
