#pragma once
// Typed calls to the Docker Engine API (v1.41 or the server's lower version) over HttpTransport.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "runner/backend/backend.hpp"
#include "runner/docker/http.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::docker {

using Labels = std::map<std::string, std::string>;

/// What `/version` reports.
struct EngineVersion {
  std::string version;      // e.g. "20.10.24"
  std::string api_version;  // the server's maximum
  std::string os;
};

/// Registry credentials for pulls (`X-Registry-Auth`).
struct RegistryAuth {
  std::string username;
  std::string password;
};

/// The parts of `GET /containers/ID/json` the backend needs.
struct ContainerInfo {
  std::string id;
  std::string name;
  bool running = false;
  int exit_code = 0;
  bool oom_killed = false;
  std::string health;  // "", "starting", "healthy", "unhealthy"
  std::map<std::string, std::string> ports;  // "5432/tcp" -> host port
  Labels labels;
  std::string config;  // `Config` (Env, Cmd, Labels, ...) and `HostConfig` as the engine reports them, JSON text
};

/// The parts of `GET /exec/ID/json` the backend needs.
struct ExecInfo {
  bool running = false;
  int exit_code = 0;
  long pid = 0;
};

/// What to run with `POST /containers/ID/exec`.
struct ExecConfig {
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // "NAME=value"
  std::string working_dir;
  std::string user;
};

/// A container or network found by label.
struct LabelledObject {
  std::string id;
  std::string name;
  Labels labels;
};

/// How an attached exec stream ended.
enum class StreamEnd { finished, interrupted };

/// Called between reads of an exec stream; return false to stop reading.
using KeepGoing = std::function<bool()>;

/// How long a call waits for the engine. `brief` serves a job's end (removals, killing a step):
/// a hung engine must not hold a finished or cancelled job for minutes, and after one brief call
/// times out, further brief calls fail at once until the engine answers again.
enum class Wait { normal, brief };

/// Which engine a connection looks for when DOCKER_HOST names none.
enum class EngineKind { docker, podman };

/// One engine; thread-safe (connections are pooled).
class EngineClient {
public:
  /// Connects to `endpoint`, pings it and settles the API version: the ping's `Api-Version`
  /// header (Docker and Podman send it), else `/version`, which costs the engine far more.
  [[nodiscard]] static Result<std::shared_ptr<EngineClient>> connect(const EngineEndpoint& endpoint);
  /// Connects to the engine DOCKER_HOST names (default /var/run/docker.sock).
  [[nodiscard]] static Result<std::shared_ptr<EngineClient>> connect_from_environment();
  /// DOCKER_HOST when set; otherwise Docker's default socket, or the first Podman socket that answers.
  [[nodiscard]] static Result<std::shared_ptr<EngineClient>> connect_to(EngineKind kind);
  /// The first of `sockets` whose engine answers `/_ping`; the error names every path tried and why it failed.
  [[nodiscard]] static Result<EngineEndpoint> find_answering_socket(const std::vector<std::string>& sockets);

  explicit EngineClient(const EngineEndpoint& endpoint);
  /// The engine's socket or URL, for messages.
  [[nodiscard]] const EngineEndpoint& endpoint() const { return m_http.endpoint(); }
  /// The API version every path is prefixed with ("1.41").
  [[nodiscard]] const std::string& api_version() const { return m_api_version; }

  /// `GET /_ping`; the answer's `Api-Version` header (the server's maximum), empty without one.
  [[nodiscard]] Result<std::string> ping();
  [[nodiscard]] Result<EngineVersion> version();

  /// True when the image is present locally under that name.
  [[nodiscard]] Result<bool> image_exists(const std::string& image);
  /// The local image's id ("sha256:..."); empty when it is not present.
  [[nodiscard]] Result<std::string> image_id(const std::string& image);
  /// Checks credentials with the image's registry (`POST /auth`); the engine stores nothing.
  [[nodiscard]] Result<void> log_in(const std::string& image, const RegistryAuth& auth);
  /// Pulls an image, reporting progress lines; fails with the registry's message.
  [[nodiscard]] Result<void> pull_image(const std::string& image, const std::optional<RegistryAuth>& auth,
                                        const std::function<void(const std::string&)>& on_progress = {});

  /// Creates a container from a full `POST /containers/create` body; returns its id.
  [[nodiscard]] Result<std::string> create_container(const nlohmann::json& body, const std::string& name = "");
  [[nodiscard]] Result<void> start_container(const std::string& id);
  [[nodiscard]] Result<ContainerInfo> inspect_container(const std::string& id);
  /// Waits until the container stops; returns its exit code.
  [[nodiscard]] Result<int> wait_container(const std::string& id);
  [[nodiscard]] Result<void> kill_container(const std::string& id, const std::string& signal = "KILL");
  /// Removes a container, running or not, with its anonymous volumes.
  [[nodiscard]] Result<void> remove_container(const std::string& id, Wait wait = Wait::normal);
  /// Every container (running or not) carrying `label` ("KEY" or "KEY=VALUE").
  [[nodiscard]] Result<std::vector<LabelledObject>> list_containers(const std::string& label);
  /// The last `lines` lines of a container's output, stdout and stderr merged.
  [[nodiscard]] Result<std::string> logs(const std::string& id, int lines);

  [[nodiscard]] Result<std::string> create_exec(const std::string& container, const ExecConfig& config,
                                                Wait wait = Wait::normal);
  /// Starts an exec attached, decoding stdout/stderr into `sink` until it ends or `keep_going` says stop.
  [[nodiscard]] Result<StreamEnd> start_exec(const std::string& exec_id, OutputSink& sink, const KeepGoing& keep_going);
  [[nodiscard]] Result<ExecInfo> inspect_exec(const std::string& exec_id);
  /// Creates an exec with stdin attached too (the step agent's); defined in agent_engine.cpp.
  [[nodiscard]] Result<std::string> create_stdin_exec(const std::string& container, const ExecConfig& config);
  /// Starts an exec and hands over its connection: stdin to write, multiplexed output to read.
  [[nodiscard]] Result<std::unique_ptr<RawStream>> open_exec(const std::string& exec_id);
  /// Attaches to a container's stdout/stderr before it starts, so no output is lost.
  [[nodiscard]] Result<std::unique_ptr<RawStream>> attach_container(const std::string& id);
  /// Decodes an attached stream into `sink` until it ends or `keep_going` says stop.
  [[nodiscard]] static Result<StreamEnd> read_multiplexed(RawStream& stream, OutputSink& sink, const KeepGoing& keep_going);

  /// Removes a named volume; one that does not exist is not an error.
  [[nodiscard]] Result<void> remove_volume(const std::string& name);
  /// Removes an image (by name or id), even when containers still use it.
  [[nodiscard]] Result<void> remove_image(const std::string& image);
  /// Builds an image from a host directory (`docker build -t tag -f dockerfile dir`), reporting its output lines.
  [[nodiscard]] Result<void> build_image(const std::string& context_dir, const std::string& dockerfile, const std::string& tag,
                                         const Labels& labels, const std::function<void(const std::string&)>& on_output = {});

  /// Extracts a tar into the container at `path` (which must exist).
  [[nodiscard]] Result<void> put_archive(const std::string& container, const std::string& path, const std::string& tar);
  /// A tar of `path` in the container.
  [[nodiscard]] Result<std::string> get_archive(const std::string& container, const std::string& path);
  /// True when `path` exists in the container (symlinks in parents followed).
  [[nodiscard]] Result<bool> path_exists(const std::string& container, const std::string& path);

  [[nodiscard]] Result<std::string> create_network(const std::string& name, const Labels& labels);
  [[nodiscard]] Result<void> connect_network(const std::string& network, const std::string& container,
                                             const std::vector<std::string>& aliases);
  [[nodiscard]] Result<void> disconnect_network(const std::string& network, const std::string& container,
                                                Wait wait = Wait::normal);
  [[nodiscard]] Result<void> remove_network(const std::string& network, Wait wait = Wait::normal);
  /// Every network carrying `label`.
  [[nodiscard]] Result<std::vector<LabelledObject>> list_networks(const std::string& label);
  /// The ids of the containers attached to a network.
  [[nodiscard]] Result<std::vector<std::string>> network_containers(const std::string& network);
  /// The host's IPv4 address on a network: IPAM's Gateway, else the first address of its subnet.
  [[nodiscard]] Result<std::string> network_gateway(const std::string& network);

private:
  [[nodiscard]] std::string path(const std::string& rest) const;
  [[nodiscard]] Result<HttpResponse> call(const std::string& method, const std::string& rest,
                                          const std::string& body = "", const std::string& content_type = "",
                                          Wait wait = Wait::normal);
  [[nodiscard]] Result<HttpResponse> call_json(const std::string& method, const std::string& rest, const nlohmann::json& body,
                                               Wait wait = Wait::normal);
  [[nodiscard]] Error api_error(const std::string& what, const HttpResponse& response) const;
  [[nodiscard]] Result<void> await_removal(const std::string& id);
  [[nodiscard]] Result<void> expect_ok(const std::string& what, const Result<HttpResponse>& response) const;

  HttpTransport m_http;
  std::string m_api_version = "1.41";
  std::atomic<bool> m_unresponsive{false};  // a brief call timed out and nothing answered since
};

/// `pipe=1`, `pipe.run`, `pipe.job` plus the owner's host and pid (so leftovers of dead runs can be found).
[[nodiscard]] Labels pipe_labels(const std::string& run_id, const std::string& job_id);

/// The registry an image reference names: its first component when that is a host, else docker.io.
[[nodiscard]] std::string registry_of(const std::string& image);

}  // namespace pipeline::runner::docker
