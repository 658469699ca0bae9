#pragma once
// Internal to the container backend: the pieces of `POST /containers/create` bodies and object
// names that the job container (docker_backend.cpp) and services (services.cpp) share.
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/backend/backend.hpp"
#include "runner/docker/engine_client.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::docker::detail {

/// `length` random hex digits, for unique names and exec markers.
[[nodiscard]] std::string random_hex(std::size_t length);
/// A text usable in container and network names ([a-zA-Z0-9_.-]; anything else becomes '-').
[[nodiscard]] std::string sanitize_name(const std::string& text);
/// "NAME=value" lines of an environment, as `Env` takes them.
[[nodiscard]] std::vector<std::string> env_lines(const std::vector<std::pair<std::string, std::string>>& env);
/// Labels as a JSON object.
[[nodiscard]] nlohmann::json label_json(const Labels& labels);
/// Publishes `ports` on a create body: ExposedPorts plus HostConfig.PortBindings.
[[nodiscard]] Result<void> publish_ports(const std::vector<std::string>& ports, nlohmann::json& body);
/// Applies an options string; `--network-alias` names join the endpoint on `network`.
[[nodiscard]] Result<void> apply_options_text(const std::string& text, nlohmann::json& body, const std::string& network);
/// "pipe_<run>_<job>_<suffix>": readable in `docker ps`, unique through the suffix.
[[nodiscard]] std::string object_name(const JobSpec& spec, const std::string& suffix);

}  // namespace pipeline::runner::docker::detail
