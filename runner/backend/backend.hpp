#pragma once
// The seam between the engine and where steps run. A backend knows containers, processes,
// files and byte streams — never Job or Step. Implementations: host, docker (and podman).
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "workflow/base/cancel.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner {

enum class Stream { out, err };

/// Receives a step's output bytes as they arrive; chunks split lines anywhere.
class OutputSink {
public:
  virtual ~OutputSink() = default;
  virtual void write(Stream stream, std::string_view bytes) = 0;
};

/// Collects a command's output in memory, streams apart (for short helper commands: git, probes).
class CollectSink final : public OutputSink {
public:
  void write(Stream stream, std::string_view bytes) override { (stream == Stream::out ? out : err).append(bytes); }
  std::string out;
  std::string err;
};

/// A host path made visible inside the job's environment.
struct Mount {
  std::string source;  // host path (or volume name)
  std::string target;  // path inside the job environment
  bool read_only = false;
};

/// A sidecar container of a job (`services:`).
struct ServiceSpec {
  std::string key;    // the key under `services:`; the network alias
  std::string image;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> ports;    // as written: "5432:5432", "5432", "127.0.0.1:8080:80/tcp"
  std::vector<std::string> volumes;  // as written
  std::string options;               // docker-create style options, as written
  std::optional<std::pair<std::string, std::string>> credentials;  // username, password
  std::optional<std::vector<std::string>> entrypoint;  // unset: the image's ENTRYPOINT
  std::vector<std::string> command;                    // empty: the image's CMD
};

/// Names a job whose container `--reuse` keeps between runs: the same key finds the same container.
struct ReuseKey {
  std::string workflow;  // the workflow file's absolute path
  std::string job;       // the job's id
  std::string matrix;    // the matrix combination as JSON ("{}" without a matrix)
};

/// Everything a backend needs to set up one job.
struct JobSpec {
  std::string run_id;        // labels everything created: pipe.run=<run_id>
  std::string job_id;        // unique within the run, e.g. "build-linux-18"; pipe.job=<job_id>
  std::string display_name;  // for messages
  std::string image;         // empty: run on the host
  std::string workspace;     // host path of the workspace
  bool copy_workspace = false;  // copy instead of bind (containers) / fresh copy (host)
  std::vector<std::pair<std::string, std::string>> env;  // job container env (`container.env`)
  std::vector<Mount> mounts;
  std::vector<std::string> volumes;  // `container.volumes` as written: "name:/path", "/path", "/host:/path:ro"
  std::vector<std::string> ports;
  std::string options;  // `container.options`, docker-create style
  std::optional<std::pair<std::string, std::string>> credentials;
  std::vector<ServiceSpec> services;
  bool use_host_network = true;  // jobs without `container:` behave like a VM
  std::optional<ReuseKey> reuse;  // set: keep the job container for the next run of the same job
  std::string network;  // --network: a job without `container:` uses it instead of the host's; a container job joins it too
  std::chrono::seconds reuse_idle{0};  // with reuse: the kept container removes itself after this long unused; 0: never
  // How many jobs like this one are still to start (asked when the backend decides how many
  // containers to start ahead for them); unset: none.
  std::function<int()> jobs_to_come;
};

/// A running service, as `job.services.<id>` shows it.
struct ServiceInfo {
  std::string key;
  std::string id;       // container id
  std::string network;  // network id
  std::map<std::string, std::string> ports;  // container port -> host port
};

/// A prepared job environment: the handle every later backend call takes.
struct JobEnv {
  std::string id;            // backend-specific handle (container id, or a host key)
  std::string workspace;     // workspace path as steps see it
  std::string temp_dir;      // RUNNER_TEMP as steps see it
  std::string tool_cache;    // RUNNER_TOOL_CACHE as steps see it
  std::string host_temp_dir; // the same directory on the host (file commands are read here)
  std::string network;       // per-job network, empty when none
  std::vector<ServiceInfo> services;
  bool in_container = false;
  bool has_bash = true;      // used to choose the default shell
  bool kept = false;         // the job container outlives the job (`--reuse`)
  std::string joined_network; // the network a kept container joined for this job, left at teardown
};

/// One process to run in a job's environment.
struct ExecSpec {
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;  // the complete environment of the step
  std::string cwd;
  std::chrono::milliseconds timeout{0};  // 0: none
  CancelToken* cancel = nullptr;         // kill the process tree when cancelled
};

/// How a process ended.
struct ExitStatus {
  int code = 0;
  bool timed_out = false;
  bool cancelled = false;
};

/// Where jobs run.
class Backend {
public:
  virtual ~Backend() = default;
  /// Short name for messages ("host", "docker").
  [[nodiscard]] virtual std::string name() const = 0;
  /// Creates the job's environment (container, network, services, temp dirs).
  [[nodiscard]] virtual Result<JobEnv> prepare_job(const JobSpec& spec) = 0;
  /// Runs one process to completion, streaming its output to `sink`.
  [[nodiscard]] virtual Result<ExitStatus> exec(const JobEnv& env, const ExecSpec& spec, OutputSink& sink) = 0;
  /// Reads a file of the job's filesystem.
  [[nodiscard]] virtual Result<std::string> read_file(const JobEnv& env, const std::string& path) = 0;
  /// Writes a file into the job's filesystem (parents created).
  [[nodiscard]] virtual Result<void> write_file(const JobEnv& env, const std::string& path, std::string_view content, int mode = 0644) = 0;
  /// Removes everything prepare_job created; called always, even on cancel.
  virtual void teardown(const JobEnv& env) = 0;
};

}  // namespace pipeline::runner
