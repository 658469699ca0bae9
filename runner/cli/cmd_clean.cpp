// `pipe clean` — removes containers and networks left behind by runs that are no longer alive,
// and the job containers `--reuse` kept.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "runner/cli/app.hpp"
#include "runner/docker/docker_backend.hpp"
#include "runner/docker/engine_client.hpp"

namespace pipeline::runner::cli {

std::function<int()> setup_clean(CLI::App& app) {
  auto all = std::make_shared<bool>(false);
  auto run = std::make_shared<std::string>();
  app.add_flag("--all", *all, "Also remove objects of runs that are still alive");
  app.add_option("--run", *run, "Only the objects of this run (its id, as in .pipe/runs/)");
  return [all, run] {
    auto client = docker::EngineClient::connect_from_environment();
    if (!client) {
      std::cerr << "pipe: error: " << client.error().message << '\n';
      return static_cast<int>(k_exit_usage);
    }
    auto report = docker::cleanup_leftovers(**client, *run, *all ? docker::LiveRuns::remove : docker::LiveRuns::keep,
                                            docker::KeptContainers::remove);
    if (!report) {
      std::cerr << "pipe: error: " << report.error().message << '\n';
      return static_cast<int>(k_exit_usage);
    }
    std::cout << "removed " << report->containers << " container(s)";
    if (report->kept > 0) {
      std::cout << " (" << report->kept << " kept by --reuse)";
    }
    std::cout << " and " << report->networks << " network(s)\n";
    for (const auto& error : report->errors) {
      std::cerr << "pipe: warning: " << error << '\n';
    }
    return report->errors.empty() ? static_cast<int>(k_exit_success) : static_cast<int>(k_exit_job_failed);
  };
}

}  // namespace pipeline::runner::cli
