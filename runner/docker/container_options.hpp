#pragma once
// `container.options` / `services.*.options`: the docker-create flags GitHub accepts, parsed into create fields.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "workflow/base/result.hpp"

namespace pipeline::runner::docker {

/// One `--ulimit name=soft[:hard]`.
struct Ulimit {
  std::string name;
  std::int64_t soft = 0;
  std::int64_t hard = 0;
};

/// The flags of an options string, each as the engine wants it (bytes, nanoseconds).
struct ContainerOptions {
  std::optional<std::int64_t> nano_cpus;
  std::optional<std::int64_t> memory;
  std::optional<std::int64_t> shm_size;
  std::string user;
  std::string hostname;
  std::optional<std::vector<std::string>> entrypoint;
  std::string workdir;
  std::vector<std::string> env;  // "NAME=value"
  std::vector<std::string> binds;
  std::vector<std::string> anonymous_volumes;
  std::vector<std::string> network_aliases;
  std::optional<std::vector<std::string>> health_test;
  std::optional<std::int64_t> health_interval;
  std::optional<std::int64_t> health_timeout;
  std::optional<std::int64_t> health_start_period;
  std::optional<int> health_retries;
  bool privileged = false;
  std::vector<std::string> cap_add;
  std::vector<std::string> cap_drop;
  std::map<std::string, std::string> labels;
  std::vector<std::string> extra_hosts;
  std::vector<Ulimit> ulimits;
  std::optional<bool> init;
};

/// Splits an options string the way a POSIX shell would (quotes, backslashes), without expansion.
[[nodiscard]] Result<std::vector<std::string>> split_shell_words(std::string_view text);
/// Parses an options string; an unknown or malformed flag is an error naming it.
[[nodiscard]] Result<ContainerOptions> parse_container_options(std::string_view text);
/// Writes the options into a `POST /containers/create` body (Config + HostConfig fields).
void apply_container_options(const ContainerOptions& options, nlohmann::json& body);

/// "512m", "1g", "1024" → bytes.
[[nodiscard]] Result<std::int64_t> parse_byte_size(std::string_view text);
/// "10s", "1m30s", "500ms" → nanoseconds.
[[nodiscard]] Result<std::int64_t> parse_duration_ns(std::string_view text);

}  // namespace pipeline::runner::docker
