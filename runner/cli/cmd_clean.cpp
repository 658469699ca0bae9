// `pipe clean` — removes containers and networks left behind by runs that are no longer alive.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "runner/cli/app.hpp"
#include "runner/docker/docker_backend.hpp"
#include "runner/docker/engine_client.hpp"

namespace pipeline::runner::cli {

std::function<int()> setup_clean(CLI::App& app) {
  auto all = std::make_shared<bool>(false);
  app.add_flag("--all", *all, "Also remove objects of runs that are still alive");
  return [all] {
    auto client = docker::EngineClient::connect_from_environment();
    if (!client) {
      std::cerr << "pipe: error: " << client.error().message << '\n';
      return static_cast<int>(k_exit_usage);
    }
    auto report = docker::cleanup_leftovers(**client, "", *all ? docker::LiveRuns::remove : docker::LiveRuns::keep);
    if (!report) {
      std::cerr << "pipe: error: " << report.error().message << '\n';
      return static_cast<int>(k_exit_usage);
    }
    std::cout << "removed " << report->containers << " container(s) and " << report->networks << " network(s)\n";
    for (const auto& error : report->errors) {
      std::cerr << "pipe: warning: " << error << '\n';
    }
    return report->errors.empty() ? static_cast<int>(k_exit_success) : static_cast<int>(k_exit_job_failed);
  };
}

}  // namespace pipeline::runner::cli
