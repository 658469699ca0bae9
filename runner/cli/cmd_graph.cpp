// `pipe graph` — the job graph of each workflow as text, DOT or Mermaid.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "runner/cli/app.hpp"
#include "runner/job/call_plan.hpp"
#include "workflow/loader.hpp"
#include "workflow/plan/call_tree.hpp"
#include "workflow/plan/job_graph.hpp"

namespace pipeline::runner::cli {

namespace {

struct GraphOptions {
  std::vector<std::string> paths;
  std::string directory = ".";
  std::string format = "text";
};

int run_graph(const GraphOptions& options) {
  namespace fs = std::filesystem;
  std::vector<fs::path> paths;
  for (const auto& p : options.paths) {
    paths.push_back(fs::path(options.directory) / p);
  }
  if (paths.empty()) {
    paths.push_back(fs::path(options.directory) / ".github" / "workflows");
  }
  const auto set = workflow::load_all(paths, options.directory);
  if (workflow::has_errors(set.diagnostics)) {
    std::cerr << workflow::format_diagnostics(set) << workflow::summary_line(set) << '\n';
    return k_exit_usage;
  }
  std::string errors;
  for (const auto& wf : set.workflows) {
    auto graph = workflow::plan::JobGraph::build(wf);
    if (!graph) {
      std::cerr << wf.path << ": " << graph.error().message << '\n';
      return k_exit_usage;
    }
    // Called workflows come from the workspace and the action cache: a graph fetches nothing.
    const auto planned = job::plan_calls_offline(wf, *graph, options.directory);
    errors += planned.errors;
    if (options.format == "dot") {
      std::cout << workflow::plan::render_plan_dot(planned.jobs, wf.display_name());
    } else if (options.format == "mermaid") {
      std::cout << workflow::plan::render_plan_mermaid(planned.jobs);
    } else {
      std::cout << wf.display_name() << " (" << wf.path << ")\n" << workflow::plan::render_plan_text(planned.jobs);
    }
  }
  if (!errors.empty()) {
    std::cerr << errors;
    return k_exit_usage;
  }
  return k_exit_success;
}

}  // namespace

std::function<int()> setup_graph(CLI::App& app) {
  auto options = std::make_shared<GraphOptions>();
  app.add_option("workflows", options->paths, "Workflow files or directories (default: .github/workflows)");
  app.add_option("-C,--directory", options->directory, "The repository");
  app.add_option("-f,--format", options->format, "text, dot or mermaid")
      ->check(CLI::IsMember({"text", "dot", "mermaid"}));
  return [options] { return run_graph(*options); };
}

}  // namespace pipeline::runner::cli
