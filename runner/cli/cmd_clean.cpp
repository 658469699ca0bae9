// `pipe clean` — removes what runs that are no longer alive left behind: containers and networks,
// and the host directories of killed runs and hooks.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "runner/backend/owned_dirs.hpp"
#include "runner/cli/app.hpp"
#include "runner/docker/docker_backend.hpp"
#include "runner/docker/engine_client.hpp"
#include "runner/hook/scratch_dir.hpp"

namespace pipeline::runner::cli {
namespace {

/// Job directories of host runs and hook exports whose pipe is gone (or all, with --all).
std::size_t clean_directories(LiveOwners live) {
  const char* tmp = std::getenv("TMPDIR");
  std::size_t removed =
      remove_orphaned_dirs(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "pipe-run-", live);
  for (const auto& dir : hook::scratch_candidates()) {
    removed += remove_orphaned_dirs(dir, hook::k_hook_prefix, live);
  }
  return removed;
}

}  // namespace

std::function<int()> setup_clean(CLI::App& app) {
  auto all = std::make_shared<bool>(false);
  app.add_flag("--all", *all, "Also remove what runs that are still alive use");
  return [all] {
    const std::size_t dirs = clean_directories(*all ? LiveOwners::remove : LiveOwners::keep);
    std::cout << "removed " << dirs << " directory(ies) of dead runs and hooks\n";
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
