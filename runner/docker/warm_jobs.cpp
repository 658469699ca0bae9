// The container backend's side of warm job containers: which jobs can take one, how many to make
// ahead of the jobs still to come, and what a taken container of a `container:` job still needs.
#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "runner/docker/container_options.hpp"
#include "runner/docker/create_body.hpp"
#include "runner/docker/docker_backend.hpp"
#include "runner/docker/job_container.hpp"
#include "runner/system/owned_dirs.hpp"

namespace pipeline::runner::docker {

using nlohmann::json;
using namespace detail;
namespace fs = std::filesystem;

void DockerBackend::wait_warm() {
  if (m_pool) {
    m_pool->wait_idle();
  }
}

// The create body of a warm container for jobs like `spec`, or nullopt when such a job needs
// something a container cannot get after it started: services (their network and health come
// first), published ports, a container env, the runner's own network, or a container kept by
// --reuse. A `container:` job's container starts on the default bridge and joins the job's
// network once taken, as a kept container does.
std::optional<json> DockerBackend::warm_body(const JobSpec& spec) const {
  const bool container_job = !spec.use_host_network;
  if (!m_pool || !m_options.network.empty() || spec.reuse || !spec.services.empty() || !spec.ports.empty() ||
      !spec.env.empty() || (container_job && !spec.network.empty())) {
    return std::nullopt;
  }
  auto body = job_container_body(spec, JobEnv{}, k_warm_dir_placeholder,
                                 m_options.engine_socket == EngineSocket::mount ? m_client->endpoint().unix_path : "");
  if (!body) {
    return std::nullopt;
  }
  for (const auto& line : (*body)["Env"]) {
    if (line.get<std::string>().rfind("DOCKER_HOST=", 0) != 0) {
      return std::nullopt;  // `--env` in the options: the job's own
    }
  }
  if (container_job) {
    (*body)["HostConfig"]["NetworkMode"] = "bridge";
  }
  Labels labels = pipe_labels(spec.run_id, k_warm_role);
  labels["pipe.role"] = k_warm_role;
  (*body)["Labels"] = label_json(labels);
  return std::move(*body);
}

// Starts the containers of the jobs like this one still to come; two at most are ahead, so a
// long matrix does not fill the machine with idle containers.
void DockerBackend::warm_next(const JobSpec& spec, const std::optional<json>& body) {
  constexpr int k_max_ahead = 2;
  if (body && spec.jobs_to_come) {
    const fs::path run_dir = fs::path(m_options.temp_root) / (owned_prefix(k_run_dir_prefix) + sanitize_name(spec.run_id));
    m_pool->top_up(warm_key(*body), *body, run_dir.string(), k_max_ahead, spec.jobs_to_come);
  }
}

// A taken warm container of a `container:` job leaves the default bridge for the job's network,
// under the aliases its options give: on it, the job sees what a container created there sees.
Result<void> DockerBackend::join_job_network(const JobSpec& spec, const JobEnv& env) {
  if (spec.use_host_network || env.network.empty()) {
    return {};
  }
  auto options = parse_container_options(spec.options);
  if (auto joined = m_client->connect_network(env.network, env.id, options ? options->network_aliases : std::vector<std::string>{});
      !joined) {
    return joined;
  }
  return m_client->disconnect_network("bridge", env.id, Wait::brief);
}

}  // namespace pipeline::runner::docker
