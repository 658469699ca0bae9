#pragma once
// The step agents of a DockerBackend: pipe-agent copied once into each job container, started
// once, and handed each step; exec-per-step stays the fallback when an agent cannot run.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "runner/backend/backend.hpp"
#include "runner/docker/agent_session.hpp"
#include "runner/docker/engine_client.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::docker {

/// Whether container steps run through pipe-agent (`--no-agent`, config `agent: false`).
enum class StepAgentMode { on, off };

/// Every container's agents; thread-safe (background steps run beside the main ones).
class StepAgents {
public:
  /// `notice` receives the one message a container gets when its steps fall back to exec-per-step.
  StepAgents(EngineClient& client, std::function<void(const std::string&)> notice);

  /// Runs one step through an agent of the job's container; nullopt when the container cannot
  /// have one, and the caller runs the step as an exec. An error fails the step: its agent died.
  [[nodiscard]] std::optional<Result<ExitStatus>> run(const JobEnv& env, const ExecSpec& spec,
                                                      const std::string& marker_line, OutputSink& sink);
  /// Installs and starts an agent in a warm container (`host_dir` is its bind-mounted directory),
  /// so the job that takes it finds one waiting; a failure is left for that job to meet.
  void warm_up(const std::string& container, const std::string& host_dir);
  /// Ends the container's agents; the next run of a kept container starts fresh ones.
  void forget(const std::string& container);

private:
  /// One container's agents: where the executable is, and the sessions no step uses right now.
  struct Container {
    std::mutex mutex;
    bool tried = false;    // installing was attempted
    bool disabled = false; // no agent can run here: exec-per-step
    std::string path;      // the agent inside the container
    bool listening = false; // a kept container whose own agent listens on its socket
    std::vector<std::unique_ptr<AgentSession>> idle;
  };

  [[nodiscard]] std::shared_ptr<Container> container_of(const std::string& id);
  [[nodiscard]] std::unique_ptr<AgentSession> take(const JobEnv& env, Container& container);
  [[nodiscard]] std::unique_ptr<AgentSession> install(const JobEnv& env, Container& container);
  [[nodiscard]] std::unique_ptr<AgentSession> connect_listening(const JobEnv& env, Container& container);
  void give_up(const JobEnv& env, Container& container, const std::string& reason);

  EngineClient& m_client;
  std::function<void(const std::string&)> m_notice;
  std::mutex m_mutex;
  std::map<std::string, std::shared_ptr<Container>> m_containers;
};

}  // namespace pipeline::runner::docker
