#include "runner/job/placement.hpp"

#include "runner/engine/ci_output.hpp"
#include "runner/engine/platforms.hpp"

namespace pipeline::runner::job {

EngineConnection connect_engine_early(const RunOptions& options) {
  if (options.backend == BackendChoice::host || options.dry_run) {
    return {};
  }
  const auto kind = options.backend == BackendChoice::podman ? docker::EngineKind::podman : docker::EngineKind::docker;
  return std::async(std::launch::async, [kind] { return docker::EngineClient::connect_to(kind); });
}

Placer::Placer(const RunOptions& options, engine::Reporter& reporter, std::string run_root, EngineConnection engine,
               RunBackends supplied)
    : m_options(options), m_reporter(reporter), m_supplied(supplied), m_host(std::move(run_root)),
      m_engine(std::move(engine)) {}

Placer::~Placer() { finish(); }

// A job with `container:` keeps GitHub's container-job rules (its default shell is `sh`) on
// whichever backend runs it.
Result<Placement> Placer::place(const std::vector<std::string>& labels, const std::string& container_image) {
  const bool job_container = !container_image.empty();
  if (m_supplied.jobs) {
    return Placement{m_supplied.jobs, container_image, job_container};
  }
  if (m_options.backend == BackendChoice::host) {
    return Placement{&m_host, "", job_container};
  }
  std::string image = container_image;
  if (image.empty()) {
    auto mapped = map_labels(labels);
    if (!mapped) {
      return mapped.error();
    }
    if (*mapped == "host") {
      return Placement{&m_host, "", false};
    }
    image = *mapped;
  }
  Backend* docker = docker_backend();
  if (!docker) {
    if (m_options.backend == BackendChoice::docker || m_options.backend == BackendChoice::podman) {
      return Error{m_docker_error};
    }
    return Placement{&m_host, "", job_container};
  }
  return Placement{docker, image, job_container};
}

void Placer::probe() {
  if (!m_supplied.jobs && m_options.backend == BackendChoice::automatic && !docker_backend()) {
    // A CI job container rarely has an engine: say once that the host is the default there.
    engine::post_notice(m_reporter, engine::running_in_container()
                                ? "pipe runs inside a container and no engine answers: --backend host"
                                : "no container engine answers (" + m_docker_error + "); running jobs on the host");
  }
}

void Placer::finish() {
  if (m_cleanup.joinable()) {
    m_cleanup.join();
  }
}

ContainerActions* Placer::docker_for_actions() {
  if (m_supplied.jobs) {
    return m_supplied.container_actions;
  }
  (void)docker_backend();
  std::lock_guard lock(m_mutex);
  return m_docker.get();
}

Result<std::string> Placer::map_labels(const std::vector<std::string>& labels) const {
  auto choice = engine::choose_platform(labels, m_options.platforms);
  if (choice.image.empty()) {
    return Error{engine::no_runner_message(choice.unserved)};
  }
  return choice.image;
}

Backend* Placer::docker_backend() {
  std::lock_guard lock(m_mutex);
  if (!m_docker && m_docker_error.empty()) {
    docker::DockerBackendOptions options;
    options.pull = m_options.pull;
    options.engine_socket = m_options.engine_socket ? docker::EngineSocket::mount : docker::EngineSocket::hide;
    options.agent = m_options.agent ? docker::StepAgentMode::on : docker::StepAgentMode::off;
    options.warm = m_options.warm ? docker::WarmContainers::on : docker::WarmContainers::off;
    options.network = m_options.container_network;
    options.on_status = [this](const std::string& message) { engine::post_notice(m_reporter, message); };
    auto connected = m_engine.valid() ? m_engine.get()
                                      : docker::EngineClient::connect_to(m_options.backend == BackendChoice::podman
                                                                             ? docker::EngineKind::podman
                                                                             : docker::EngineKind::docker);
    if (connected) {
      m_engine_client = std::move(*connected);
      m_docker = std::make_unique<docker::DockerBackend>(m_engine_client, options);
      // Containers and networks of runs whose pipe died (kill -9, a crash) go while the first
      // jobs start: they share nothing with this run. Containers kept by --reuse are not leftovers.
      m_cleanup = std::thread([this] { remove_leftovers(); });
    } else {
      m_docker_error = connected.error().message;
    }
  }
  return m_docker.get();
}

void Placer::remove_leftovers() {
  auto cleaned = docker::cleanup_leftovers(*m_engine_client, "", docker::LiveRuns::keep);
  if (cleaned && cleaned->containers + cleaned->networks > 0) {
    engine::post_notice(m_reporter, "removed " + std::to_string(cleaned->containers) + " container(s) and " +
                                std::to_string(cleaned->networks) + " network(s) left by dead runs");
  }
}

}  // namespace pipeline::runner::job
