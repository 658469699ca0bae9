#include "runner/docker/job_container.hpp"

#include "runner/docker/create_body.hpp"
#include "runner/docker/kept_idle.hpp"
#include "runner/docker/volumes.hpp"

namespace pipeline::runner::docker::detail {

using nlohmann::json;

// A job without `container:` is a VM on GitHub: it shares the host's network, so `localhost:PORT`
// reaches its services' published ports even though the services have a network of their own.
// A kept container outlives the job's network: it starts on the default bridge and joins each run's.
std::string job_network_mode(const JobSpec& spec, const JobEnv& env) {
  if (spec.use_host_network || env.network.empty()) {
    return spec.network.empty() ? "host" : spec.network;
  }
  return spec.reuse ? "bridge" : env.network;
}

// The job container: kept alive by `tail -f /dev/null` under docker-init, the workspace and the
// temp dirs at their host paths, on the job network (or the host's when there is none).
Result<json> job_container_body(const JobSpec& spec, const JobEnv& env, const std::string& host_dir,
                                const std::string& engine_socket) {
  Labels labels = pipe_labels(spec.run_id, spec.job_id);
  labels["pipe.role"] = "job";
  json body{{"Image", spec.image},
            {"Entrypoint", {"tail"}},
            {"Cmd", {"-f", "/dev/null"}},
            {"Env", env_lines(spec.env)},
            {"Labels", label_json(labels)},
            {"HostConfig", {{"Init", true}, {"Binds", json::array()}, {"NetworkMode", job_network_mode(spec, env)}}}};
  json& binds = body["HostConfig"]["Binds"];
  binds.push_back(host_dir + ":" + host_dir);
  if (!spec.workspace.empty()) {
    body["WorkingDir"] = spec.workspace;
    if (!spec.copy_workspace) {
      binds.push_back(spec.workspace + ":" + spec.workspace);
    }
  }
  for (const Mount& mount : spec.mounts) {
    binds.push_back(mount.source + ":" + mount.target + (mount.read_only ? ":ro" : ""));
  }
  if (auto volumes = apply_volumes(spec.volumes, body); !volumes) {
    return volumes.error();
  }
  if (!engine_socket.empty()) {
    binds.push_back(engine_socket + ":/var/run/docker.sock");
    body["Env"].push_back("DOCKER_HOST=unix:///var/run/docker.sock");
  }
  if (auto ports = publish_ports(spec.ports, body); !ports) {
    return ports.error();
  }
  if (auto options = apply_options_text(spec.options, body, spec.reuse ? "" : env.network); !options) {
    return options.error();
  }
  if (spec.reuse && spec.reuse_idle.count() > 0) {
    const auto command = reaping_command(host_dir, spec.reuse_idle);
    body["Entrypoint"] = std::vector<std::string>(command.begin(), command.begin() + 1);
    body["Cmd"] = std::vector<std::string>(command.begin() + 1, command.end());
    body["HostConfig"]["AutoRemove"] = true;
  }
  return body;
}

}  // namespace pipeline::runner::docker::detail
