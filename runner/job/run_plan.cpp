#include "runner/job/run_plan.hpp"

#include <algorithm>
#include <iostream>
#include <thread>

#include "runner/job/call_plan.hpp"

namespace pipeline::runner::job {

std::size_t worker_count(const RunOptions& options) {
  return options.parallel ? options.parallel : std::max(1u, std::thread::hardware_concurrency());
}

Result<void> add_nodes(Plan& plan, engine::Scheduler& scheduler) {
  const bool many = plan.workflows.size() > 1;
  for (const auto& selected : plan.workflows) {
    for (const auto& id : selected.graph.topological_order()) {
      const workflow::Job* job = selected.workflow->find_job(id);
      const std::string prefix = many ? selected.workflow->path + ":" : "";
      engine::NodeSpec spec;
      spec.id = prefix + id;
      for (const auto& need : selected.graph.find(id)->needs) {
        spec.needs.push_back(plan.job_index.at(prefix + need));
      }
      auto index = scheduler.add_node(spec);
      if (!index) {
        return index.error();
      }
      plan.job_index[spec.id] = plan.jobs.size();
      plan.jobs.push_back({&selected, job, spec.id});
    }
  }
  return {};
}

PlannedCalls plan_all_calls(const Plan& plan, RunState& state) {
  PlannedCalls out;
  for (const auto& selected : plan.workflows) {
    PlanRoot root{selected.workflow, &selected.graph, selected.event, selected.payload, selected.inputs};
    auto planned = plan_calls(state, root);
    out.jobs.push_back(std::move(planned.jobs));
    out.errors += planned.errors;
  }
  return out;
}

void print_plan(const Plan& plan, const std::vector<std::vector<workflow::plan::PlanJob>>& calls,
                const output::Masker& masker) {
  for (std::size_t i = 0; i < plan.workflows.size(); ++i) {
    const auto& selected = plan.workflows[i];
    std::cout << selected.workflow->display_name() << " (" << selected.workflow->path << ", on " << selected.event
              << ")\n";
    for (const auto& line : selected.graph.levels()) {
      std::cout << "  stage:";
      for (const auto& id : line) {
        std::cout << ' ' << id;
      }
      std::cout << '\n';
    }
    std::cout << masker.mask(workflow::plan::render_plan_text(calls[i]));
  }
}

}  // namespace pipeline::runner::job
