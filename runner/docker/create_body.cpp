#include "runner/docker/create_body.hpp"

#include <cctype>
#include <random>

#include "runner/docker/container_options.hpp"
#include "runner/docker/docker_backend.hpp"

namespace pipeline::runner::docker::detail {

using nlohmann::json;

std::string random_hex(std::size_t length) {
  static thread_local std::mt19937_64 engine{std::random_device{}()};
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < length; ++i) {
    out.push_back(k_hex[engine() % 16]);
  }
  return out;
}

std::string sanitize_name(const std::string& text) {
  std::string out;
  for (char c : text) {
    out.push_back(std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-' ? c : '-');
  }
  return out;
}

std::vector<std::string> env_lines(const std::vector<std::pair<std::string, std::string>>& env) {
  std::vector<std::string> lines;
  lines.reserve(env.size() + 1);
  for (const auto& [name, value] : env) {
    lines.push_back(name + "=" + value);
  }
  return lines;
}

json label_json(const Labels& labels) {
  json out = json::object();
  for (const auto& [key, value] : labels) {
    out[key] = value;
  }
  return out;
}

Result<void> publish_ports(const std::vector<std::string>& ports, json& body) {
  for (const auto& text : ports) {
    auto port = parse_port_mapping(text);
    if (!port) {
      return port.error();
    }
    body["ExposedPorts"][port->container_port] = json::object();
    body["HostConfig"]["PortBindings"][port->container_port].push_back({{"HostIp", port->host_ip}, {"HostPort", port->host_port}});
  }
  return {};
}

Result<void> apply_options_text(const std::string& text, json& body, const std::string& network) {
  auto options = parse_container_options(text);
  if (!options) {
    return options.error();
  }
  apply_container_options(*options, body);
  if (!network.empty() && network != "host" && network != "bridge") {
    for (const auto& alias : options->network_aliases) {
      body["NetworkingConfig"]["EndpointsConfig"][network]["Aliases"].push_back(alias);
    }
  }
  return {};
}

std::string object_name(const JobSpec& spec, const std::string& suffix) {
  return "pipe_" + sanitize_name(spec.run_id) + "_" + sanitize_name(spec.job_id) + "_" + suffix;
}

}  // namespace pipeline::runner::docker::detail
