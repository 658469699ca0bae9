// `pipe clean` — removes what runs that are no longer alive left behind (containers, networks,
// the host directories of killed runs and hooks), the job containers `--reuse` kept, and the
// current repository's artifacts whose retention ended.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "runner/system/owned_dirs.hpp"
#include "runner/cli/app.hpp"
#include "runner/docker/docker_backend.hpp"
#include "runner/docker/engine_client.hpp"
#include "runner/hook/scratch_dir.hpp"

namespace pipeline::runner::cli {
namespace {

/// Job directories of runs and hook exports whose pipe is gone (or all, with --all). Container
/// jobs keep theirs under /tmp whatever $TMPDIR says, so both are looked at.
std::size_t clean_directories(LiveOwners live) {
  const std::string host_root = default_temp_root();
  std::size_t removed = remove_orphaned_dirs(host_root, k_run_dir_prefix, live);
  if (host_root != docker::DockerBackendOptions{}.temp_root) {
    removed += remove_orphaned_dirs(docker::DockerBackendOptions{}.temp_root, k_run_dir_prefix, live);
  }
  for (const auto& dir : hook::scratch_candidates()) {
    removed += remove_orphaned_dirs(dir, hook::k_hook_prefix, live);
  }
  return removed;
}

}  // namespace

std::function<int()> setup_clean(CLI::App& app) {
  auto all = std::make_shared<bool>(false);
  auto run = std::make_shared<std::string>();
  app.add_flag("--all", *all, "Also remove what runs that are still alive use");
  app.add_option("--run", *run, "Only the objects of this run (its id, as in .pipe/runs/)");
  return [all, run] {
    if (run->empty()) {
      const std::size_t dirs = clean_directories(*all ? LiveOwners::remove : LiveOwners::keep);
      std::cout << "removed " << dirs << " directory(ies) of dead runs and hooks\n";
      // retention-days: GitHub deletes an artifact when it ends; pipe does here, for this repository's runs.
      std::cout << "removed " << prune_expired_artifacts(".") << " expired artifact(s)\n";
    }
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
    for (const auto& name : report->in_use) {
      std::cout << "kept container " << name << " is in use by a running pipe; left in place\n";
    }
    for (const auto& error : report->errors) {
      std::cerr << "pipe: warning: " << error << '\n';
    }
    return report->errors.empty() ? static_cast<int>(k_exit_success) : static_cast<int>(k_exit_job_failed);
  };
}

}  // namespace pipeline::runner::cli
