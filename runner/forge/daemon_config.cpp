#include "runner/forge/daemon_config.hpp"

#include <cctype>

#include <yaml-cpp/yaml.h>

namespace pipeline::runner::forge {

namespace {

constexpr const char* k_example = R"(# pipe runner daemon --config FILE
# Every setting with its default; remove what you do not change.
runner:
  # Where `pipe runner register` wrote the registration.
  file: .runner
  # How many tasks this runner runs at once.
  capacity: 1
  # Extra environment for every job, and a dotenv file with more.
  envs:
    A_TEST_ENV_NAME_1: a_test_env_value_1
  env_file: .env
  # A task running longer than this is cancelled.
  timeout: 3h
  # After SIGTERM, running tasks may finish for this long before they are cancelled.
  shutdown_timeout: 0s
  # Skip the TLS certificate check of the server.
  insecure: false
  # One FetchTask call may take this long.
  fetch_timeout: 5s
  # An idle worker asks for a task this often; after errors the interval doubles, with jitter,
  # up to fetch_interval_max.
  fetch_interval: 2s
  fetch_interval_max: 60s
  # Replace the labels of the registration: NAME:docker://IMAGE or NAME:host.
  labels:
    - "ubuntu-latest:docker://catthehacker/ubuntu:act-latest"
host:
  # Task workspaces are made under this folder (empty: the temporary folder).
  workdir_parent:
container:
  # The network every job and service container joins: host, bridge or a network's name, used
  # as it is. Empty: each job gets a network of its own, removed at its end.
  network: ""
  # Run job containers privileged.
  privileged: false
  # Options added to every job container, as `container.options` in a workflow.
  options:
  # Volumes a workflow may mount (container and service `volumes:`, -v/--volume/--mount in their
  # `options:`): globs of the source, `*` within a path segment, `**` across them. Empty: none;
  # a job asking for another volume fails before it starts. ['**'] allows every volume.
  valid_volumes: []
  # The container engine, as DOCKER_HOST (unix:///path or tcp://host:port). Empty: DOCKER_HOST or
  # the usual sockets. "-": found that way, but job containers do not get its socket.
  docker_host: ""
)";

Error at(const std::string& path, const YAML::Node& node, const std::string& message) {
  const auto mark = node.Mark();
  return Error{path + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) + ": " + message};
}

/// Reads one setting with `read`, turning a wrong type into a positioned error.
template <class Read>
Result<void> read_setting(const std::string& path, const YAML::Node& section, const char* key, Read&& read) {
  const YAML::Node node = section[key];
  if (!node || node.IsNull()) {
    return {};
  }
  try {
    return read(node);
  } catch (const YAML::Exception&) {
    return at(path, node, std::string("'") + key + "' has the wrong type");
  }
}

Result<void> read_duration(const std::string& path, const YAML::Node& section, const char* key, Duration& into) {
  return read_setting(path, section, key, [&](const YAML::Node& node) -> Result<void> {
    auto value = parse_duration(node.as<std::string>());
    if (!value) {
      return at(path, node, std::string("'") + key + "': " + value.error().message);
    }
    into = *value;
    return {};
  });
}

Result<void> read_runner(const std::string& path, const YAML::Node& runner, DaemonConfig& c) {
  std::vector<Result<void>> results;
  results.push_back(read_setting(path, runner, "file", [&](const YAML::Node& n) {
    c.registration_file = n.as<std::string>();
    return Result<void>();
  }));
  results.push_back(read_setting(path, runner, "capacity", [&](const YAML::Node& n) -> Result<void> {
    const int capacity = n.as<int>();
    if (capacity < 1) {
      return at(path, n, "'capacity' must be at least 1");
    }
    c.capacity = static_cast<std::size_t>(capacity);
    return {};
  }));
  results.push_back(read_duration(path, runner, "fetch_interval", c.fetch_interval));
  results.push_back(read_duration(path, runner, "fetch_interval_max", c.fetch_interval_max));
  results.push_back(read_duration(path, runner, "fetch_timeout", c.fetch_timeout));
  results.push_back(read_duration(path, runner, "timeout", c.timeout));
  results.push_back(read_duration(path, runner, "shutdown_timeout", c.shutdown_timeout));
  results.push_back(read_duration(path, runner, "report_interval", c.report_interval));
  results.push_back(read_setting(path, runner, "labels", [&](const YAML::Node& n) {
    c.labels = n.as<std::vector<std::string>>();
    return Result<void>();
  }));
  results.push_back(read_setting(path, runner, "envs", [&](const YAML::Node& n) {
    for (const auto& item : n) {
      c.envs[item.first.as<std::string>()] = item.second.IsNull() ? "" : item.second.as<std::string>();
    }
    return Result<void>();
  }));
  results.push_back(read_setting(path, runner, "env_file", [&](const YAML::Node& n) {
    c.env_file = n.as<std::string>();
    return Result<void>();
  }));
  results.push_back(read_setting(path, runner, "insecure", [&](const YAML::Node& n) {
    c.insecure = n.as<bool>();
    return Result<void>();
  }));
  for (auto& r : results) {
    if (!r) {
      return r;
    }
  }
  if (c.fetch_interval_max < c.fetch_interval) {
    c.fetch_interval_max = c.fetch_interval;
  }
  return {};
}

Result<void> read_container(const std::string& path, const YAML::Node& section, ContainerSettings& c) {
  std::vector<Result<void>> results;
  results.push_back(read_setting(path, section, "network", [&](const YAML::Node& n) {
    c.network = n.as<std::string>();
    return Result<void>();
  }));
  results.push_back(read_setting(path, section, "privileged", [&](const YAML::Node& n) {
    c.privileged = n.as<bool>();
    return Result<void>();
  }));
  results.push_back(read_setting(path, section, "options", [&](const YAML::Node& n) {
    c.options = n.as<std::string>();
    return Result<void>();
  }));
  results.push_back(read_setting(path, section, "valid_volumes", [&](const YAML::Node& n) {
    c.valid_volumes = n.as<std::vector<std::string>>();
    return Result<void>();
  }));
  results.push_back(read_setting(path, section, "docker_host", [&](const YAML::Node& n) {
    c.docker_host = n.as<std::string>();
    return Result<void>();
  }));
  for (auto& r : results) {
    if (!r) {
      return r;
    }
  }
  return {};
}

}  // namespace

Result<Duration> parse_duration(std::string_view text) {
  if (text == "0") {
    return Duration{0};
  }
  if (text.empty()) {
    return Error{"a duration is empty (write e.g. 2s, 1m30s, 3h)"};
  }
  double total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
      ++i;
    }
    if (start == i) {
      return Error{"'" + std::string(text) + "' is not a duration (write e.g. 2s, 1m30s, 3h)"};
    }
    const double number = std::stod(std::string(text.substr(start, i - start)));
    start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
    const std::string_view unit = text.substr(start, i - start);
    double scale = 0;
    if (unit == "ms") {
      scale = 1;
    } else if (unit == "s") {
      scale = 1000;
    } else if (unit == "m") {
      scale = 60'000;
    } else if (unit == "h") {
      scale = 3'600'000;
    } else {
      return Error{"'" + std::string(text) + "' is not a duration (units: ms, s, m, h)"};
    }
    total_ms += number * scale;
  }
  return Duration{static_cast<Duration::rep>(total_ms)};
}

Result<DaemonConfig> load_daemon_config(const std::string& path) {
  DaemonConfig config;
  if (path.empty()) {
    return config;
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Error{path + ": cannot read the file"};
  } catch (const YAML::ParserException& e) {
    return Error{path + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": " + e.msg};
  }
  if (root.IsNull()) {
    return config;
  }
  if (!root.IsMap()) {
    return at(path, root, "the configuration must be a mapping");
  }
  if (const auto runner = root["runner"]; runner && runner.IsMap()) {
    if (auto read = read_runner(path, runner, config); !read) {
      return read.error();
    }
  }
  if (const auto container = root["container"]; container && container.IsMap()) {
    if (auto read = read_container(path, container, config.container); !read) {
      return read.error();
    }
  }
  if (const auto host = root["host"]; host && host.IsMap()) {
    if (const auto parent = host["workdir_parent"]; parent && !parent.IsNull()) {
      config.workdir_parent = parent.as<std::string>();
    }
  }
  return config;
}

std::string example_config() {
  return k_example;
}

}  // namespace pipeline::runner::forge
