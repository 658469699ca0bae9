// The job's services: created on the job network under their keys as aliases, then awaited
// until they run and their health checks (if any) pass, as GitHub's runner does.
#include <chrono>
#include <thread>

#include "runner/docker/create_body.hpp"
#include "runner/docker/docker_backend.hpp"
#include "runner/docker/volumes.hpp"

namespace pipeline::runner::docker {
namespace {

using nlohmann::json;
using namespace detail;

constexpr auto k_health_poll = std::chrono::milliseconds(200);
constexpr int k_log_lines = 20;

std::string strip_tcp(const std::string& port) {
  const auto slash = port.find('/');
  return port.substr(0, slash);
}

}  // namespace

Result<void> DockerBackend::start_services(const JobSpec& spec, JobEnv& env) {
  for (const ServiceSpec& service : spec.services) {
    if (auto image = ensure_image(service.image, service.credentials); !image) {
      return Error{"service '" + service.key + "': " + image.error().message};
    }
    Labels labels = pipe_labels(spec.run_id, spec.job_id);
    labels["pipe.role"] = "service";
    labels["pipe.service"] = service.key;
    json body{{"Image", service.image},
              {"Env", env_lines(service.env)},
              {"Labels", label_json(labels)},
              {"HostConfig", {{"NetworkMode", env.network}}}};
    // Names reach services on user-defined networks only; the host's and the default bridge have none.
    if (env.network != "host" && env.network != "bridge") {
      body["NetworkingConfig"] = {{"EndpointsConfig", {{env.network, {{"Aliases", {service.key}}}}}}};
    }
    if (service.entrypoint) {
      body["Entrypoint"] = *service.entrypoint;
    }
    if (!service.command.empty()) {
      body["Cmd"] = service.command;
    }
    if (auto volumes = apply_volumes(service.volumes, body); !volumes) {
      return Error{"service '" + service.key + "': " + volumes.error().message};
    }
    if (auto ports = publish_ports(service.ports, body); !ports) {
      return Error{"service '" + service.key + "': " + ports.error().message};
    }
    if (auto options = apply_options_text(service.options, body, env.network); !options) {
      return Error{"service '" + service.key + "': " + options.error().message};
    }
    auto id = m_client->create_container(body, object_name(spec, sanitize_name(service.key) + "_" + random_hex(4)));
    if (!id) {
      return Error{"service '" + service.key + "': " + id.error().message};
    }
    env.services.push_back(ServiceInfo{service.key, *id, env.network, {}});
    if (auto started = m_client->start_container(*id); !started) {
      return Error{"service '" + service.key + "': " + started.error().message};
    }
  }
  return {};
}

Result<void> DockerBackend::await_services(const JobSpec& spec, JobEnv& env) {
  const auto deadline = std::chrono::steady_clock::now() + m_options.service_health_timeout;
  for (std::size_t i = 0; i < env.services.size(); ++i) {
    bool announced = false;
    while (true) {
      auto ready = service_ready(env.services[i], spec.services[i].image, deadline);
      if (!ready || *ready) {
        return ready ? Result<void>() : Result<void>(ready.error());
      }
      if (!announced) {
        status("waiting for service '" + env.services[i].key + "' to be healthy");
        announced = true;
      }
      std::this_thread::sleep_for(k_health_poll);
    }
  }
  return {};
}

// True once the service runs and is healthy (or has no health check); fills its ports then.
Result<bool> DockerBackend::service_ready(ServiceInfo& service, const std::string& image,
                                          std::chrono::steady_clock::time_point deadline) {
  auto info = m_client->inspect_container(service.id);
  if (!info) {
    return info.error();
  }
  const bool failed = !info->running || info->health == "unhealthy";
  if (failed || std::chrono::steady_clock::now() > deadline) {
    const std::string why = !info->running ? "exited with code " + std::to_string(info->exit_code)
                            : failed      ? "is unhealthy"
                                          : "was not healthy within " + std::to_string(m_options.service_health_timeout.count()) + " s";
    auto logs = m_client->logs(service.id, k_log_lines);
    return Error{"service '" + service.key + "' (" + image + ") " + why + "; its last log lines:\n" +
                 (logs ? *logs : logs.error().message)};
  }
  if (!info->health.empty() && info->health != "healthy") {
    return false;
  }
  for (const auto& [port, host_port] : info->ports) {
    service.ports[strip_tcp(port)] = host_port;
  }
  return true;
}

}  // namespace pipeline::runner::docker
