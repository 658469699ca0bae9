#pragma once
// The place pass of `pipe run`: which backend each job runs on — the host, or containers of an
// engine connected while the workflows load — and the engine Docker actions use.
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runner/backend/host_backend.hpp"
#include "runner/docker/docker_backend.hpp"
#include "runner/engine/reporter.hpp"
#include "runner/job/job_runner.hpp"
#include "runner/job/run.hpp"
#include "runner/job/run_options.hpp"

namespace pipeline::runner::job {

/// A connection to the container engine being made in the background.
using EngineConnection = std::future<Result<std::shared_ptr<docker::EngineClient>>>;

/// Starts connecting to the container engine while the workflows load and the repository is
/// read; the first job to need it waits for the answer. Nothing starts when jobs run on the host.
[[nodiscard]] EngineConnection connect_engine_early(const RunOptions& options);

/// Chooses backends for jobs: host, or containers through the engine (connected on first use),
/// or the caller's backends when it supplies them.
class Placer {
public:
  Placer(const RunOptions& options, engine::Reporter& reporter, std::string run_root, EngineConnection engine,
         RunBackends supplied = {});
  ~Placer();
  Placer(const Placer&) = delete;
  Placer& operator=(const Placer&) = delete;

  /// Where a job with these evaluated `runs-on` labels and `container:` image runs.
  [[nodiscard]] Result<Placement> place(const std::vector<std::string>& labels, const std::string& container_image);
  /// Connects now when the choice is automatic, so the fallback notice comes first.
  void probe();
  /// Waits for the removal of dead runs' leftovers, so its notice comes before the summary.
  void finish();
  /// The container engine, for Docker actions of any job; null when none answers.
  [[nodiscard]] ContainerActions* docker_for_actions();

private:
  [[nodiscard]] Result<std::string> map_labels(const std::vector<std::string>& labels) const;
  Backend* docker_backend();
  void remove_leftovers();

  const RunOptions& m_options;
  engine::Reporter& m_reporter;
  RunBackends m_supplied;
  HostBackend m_host;
  std::mutex m_mutex;
  std::shared_ptr<docker::EngineClient> m_engine_client;
  std::unique_ptr<docker::DockerBackend> m_docker;
  std::string m_docker_error;
  EngineConnection m_engine;
  std::thread m_cleanup;
};

}  // namespace pipeline::runner::job
