#pragma once
// The container backend: one long-lived job container per job (kept alive by `tail -f /dev/null`),
// its steps run by pipe-agent inside it (one exec per step when no agent can run), services on a
// per-job network — the way GitHub runs `container:` jobs.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "runner/backend/backend.hpp"
#include "runner/backend/container_actions.hpp"
#include "runner/system/file_lock.hpp"
#include "runner/docker/engine_client.hpp"
#include "runner/docker/pull_policy.hpp"
#include "runner/docker/step_agents.hpp"
#include "runner/docker/warm_pool.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::docker {

/// Whether the job container sees the engine's socket (and DOCKER_HOST) so steps can run docker.
enum class EngineSocket { mount, hide };

/// Whether a job whose JobSpec::jobs_to_come says more like it follow starts their containers now.
enum class WarmContainers { on, off };

/// Settings of a DockerBackend.
struct DockerBackendOptions {
  PullPolicy pull = PullPolicy::missing;
  EngineSocket engine_socket = EngineSocket::mount;
  std::string temp_root = "/tmp";  // host temp dirs: <temp_root>/pipe-run-<pid>-<run>/<job>/
  std::chrono::seconds service_health_timeout{300};
  std::function<void(const std::string&)> on_status;  // pull progress and waits, for the log
  StepAgentMode agent = StepAgentMode::on;  // off: one exec per step
  // The network every job and service container joins ("host", "bridge" or a network's name),
  // used as it is: never created nor removed. Empty: each job gets a network of its own.
  std::string network;
  WarmContainers warm = WarmContainers::on;
};

/// Runs jobs in containers of one Docker-compatible engine. Each step's environment also carries
/// PIPE_EXEC_ID, which is how a timeout or cancel finds and kills the step's process tree.
class DockerBackend final : public Backend, public ContainerActions {
public:
  DockerBackend(std::shared_ptr<EngineClient> client, DockerBackendOptions options);
  /// Connects to the engine DOCKER_HOST names (or finds `kind`'s socket); fails quickly naming the socket when none answers.
  [[nodiscard]] static Result<std::unique_ptr<DockerBackend>> connect(DockerBackendOptions options,
                                                                      EngineKind kind = EngineKind::docker);

  [[nodiscard]] std::string name() const override { return "docker"; }
  [[nodiscard]] Result<JobEnv> prepare_job(const JobSpec& spec) override;
  [[nodiscard]] Result<ExitStatus> exec(const JobEnv& env, const ExecSpec& spec, OutputSink& sink) override;
  [[nodiscard]] Result<std::string> read_file(const JobEnv& env, const std::string& path) override;
  [[nodiscard]] Result<void> write_file(const JobEnv& env, const std::string& path, std::string_view content, int mode = 0644) override;
  void teardown(const JobEnv& env) override;

  [[nodiscard]] Result<void> ensure_image(const std::string& image,
                                          const std::optional<std::pair<std::string, std::string>>& credentials) override;
  [[nodiscard]] Result<void> ensure_built_image(const std::string& context_dir, const std::string& dockerfile,
                                                const std::string& tag, const BuildOutput& on_output) override;
  [[nodiscard]] Result<ExitStatus> run_container(const JobEnv& env, const ContainerRun& run, OutputSink& sink) override;
  [[nodiscard]] std::string host_gateway() override;

  /// Waits until no warm container is being made (tests and benches use it to measure warmth).
  void wait_warm();

private:
  [[nodiscard]] std::optional<nlohmann::json> warm_body(const JobSpec& spec) const;
  void warm_next(const JobSpec& spec, const std::optional<nlohmann::json>& body);
  [[nodiscard]] Result<void> join_job_network(const JobSpec& spec, const JobEnv& env);
  [[nodiscard]] Result<JobEnv> prepare(const JobSpec& spec, FileLock reuse_lock);
  [[nodiscard]] Result<ExitStatus> attach_and_wait(const std::string& id, const ContainerRun& run, OutputSink& sink);
  [[nodiscard]] Result<void> start_services(const JobSpec& spec, JobEnv& env);
  [[nodiscard]] Result<void> start_job_container(const JobSpec& spec, JobEnv& env, const std::string& host_dir);
  [[nodiscard]] Result<void> start_kept_container(const JobSpec& spec, JobEnv& env, nlohmann::json body, const std::string& host_dir);
  void stop_leftover_processes(const JobEnv& env);
  [[nodiscard]] Result<void> await_services(const JobSpec& spec, JobEnv& env);
  [[nodiscard]] Result<bool> service_ready(ServiceInfo& service, const std::string& image, std::chrono::steady_clock::time_point deadline);
  [[nodiscard]] Result<int> finish_exec(const JobEnv& env, const std::string& exec_id, const std::string& marker);
  void status(const std::string& message) const;

  std::shared_ptr<EngineClient> m_client;
  DockerBackendOptions m_options;
  std::mutex m_reuse_mutex;
  std::map<std::string, FileLock> m_reuse_locks;  // by the job's host temp dir: held from prepare to teardown
  std::map<std::string, std::string> m_present_images;  // image -> id ensure_image found (no pull), until a kept container takes it
  std::unique_ptr<StepAgents> m_agents;  // null with StepAgentMode::off
  std::unique_ptr<WarmPool> m_pool;      // null with WarmContainers::off; goes first, before the agents it uses
};

/// What cleanup_leftovers removed.
struct CleanupReport {
  int containers = 0;  // kept ones included
  int kept = 0;        // containers `--reuse` had kept
  int networks = 0;
  std::vector<std::string> in_use;  // names of kept containers a live run uses: left in place
  std::vector<std::string> errors;
};

/// Whether cleanup also removes objects of runs whose pipe process is still alive.
enum class LiveRuns { keep, remove };

/// Whether cleanup also removes the job containers `--reuse` keeps between runs.
enum class KeptContainers { keep, remove };

/// Removes every container and network labelled `pipe=1` (of `run_id` only, when given) whose run
/// is dead; kept containers (and their host directories) only when `kept` says so, and only
/// those no live run is using (any, with LiveRuns::remove).
[[nodiscard]] Result<CleanupReport> cleanup_leftovers(EngineClient& client, const std::string& run_id, LiveRuns live,
                                                      KeptContainers kept = KeptContainers::keep);

/// One `ports:` entry: "5432:5432", "5432", "127.0.0.1:8080:80/tcp".
struct PortMapping {
  std::string container_port;  // "80/tcp"
  std::string host_ip;         // default 127.0.0.1
  std::string host_port;       // empty: any free port
};

/// Parses a `ports:` entry.
[[nodiscard]] Result<PortMapping> parse_port_mapping(const std::string& text);

}  // namespace pipeline::runner::docker
