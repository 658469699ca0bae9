#pragma once
// The daemon's settings file (`pipe runner daemon --config FILE`), with act_runner's layout:
// a `runner:` section (capacity, intervals, timeouts, labels, envs) and a `container:` section.
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "runner/forge/messages.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::forge {

using Duration = std::chrono::milliseconds;

/// How job containers are made.
struct ContainerSettings {
  std::string network;                     // every container joins it; empty: a network per job
  bool privileged = false;
  std::string options;                     // appended to every job container's options
  std::vector<std::string> valid_volumes;  // globs of the volumes a workflow may mount; empty: none
  std::string docker_host;                 // the engine (as DOCKER_HOST); "-": found, but not given to jobs
};

/// Every daemon setting, with act_runner's defaults.
struct DaemonConfig {
  std::string registration_file = ".runner";  // runner.file
  std::size_t capacity = 1;                   // tasks run at once
  Duration fetch_interval{std::chrono::seconds(2)};       // between polls of one worker when idle
  Duration fetch_interval_max{std::chrono::seconds(60)};  // the backoff's ceiling after errors
  Duration fetch_timeout{std::chrono::seconds(5)};        // one FetchTask call
  Duration timeout{std::chrono::hours(3)};                // one task
  Duration shutdown_timeout{std::chrono::seconds(0)};     // running tasks may finish after SIGTERM
  Duration report_interval{std::chrono::seconds(1)};      // logs and state go to the server
  std::vector<std::string> labels;  // replace the registration's labels when given
  StringMap envs;                   // added to every job's environment
  std::string env_file;             // a dotenv file added to every job's environment
  bool insecure = false;            // skip TLS verification of the server
  std::string workdir_parent;       // tasks' workspaces go under here; empty: a temp folder
  ContainerSettings container;
};

/// A Go-style duration ("2s", "1m30s", "3h", "250ms"); "0" or "0s" is zero.
[[nodiscard]] Result<Duration> parse_duration(std::string_view text);

/// Reads `path` (empty: the defaults); errors are `path:line:col: message`.
[[nodiscard]] Result<DaemonConfig> load_daemon_config(const std::string& path);

/// The example configuration `pipe runner config` prints: every setting, its default, a comment.
[[nodiscard]] std::string example_config();

}  // namespace pipeline::runner::forge
