#include "runner/docker/step_agents.hpp"

#include <filesystem>
#include <fstream>

#include "runner/agent/agent_blob.hpp"
#include "runner/docker/kept_agent.hpp"
#include "runner/docker/tar_stream.hpp"
#include "runner/trace/trace.hpp"

namespace pipeline::runner::docker {
namespace {

namespace fs = std::filesystem;

constexpr const char* k_agent_name = "pipe-agent";

// The first place tried: one put-archive into the container's /tmp.
constexpr const char* k_container_dir = "/tmp";

// The job's host directory is bind-mounted at its own path: a second place that needs no
// writable, executable /tmp in the image (a read-only root, a noexec tmpfs).
Result<std::string> write_to_host_dir(const JobEnv& env) {
  if (env.host_temp_dir.empty()) {
    return Error{"the job has no host directory"};
  }
  const fs::path path = fs::path(env.host_temp_dir).parent_path() / k_agent_name;
  const std::string_view bytes = agent::agent_binary();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      return Error{"cannot write " + path.string()};
    }
  }
  std::error_code ec;
  fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec, ec);
  return path.string();
}

}  // namespace

StepAgents::StepAgents(EngineClient& client, std::function<void(const std::string&)> notice)
    : m_client(client), m_notice(std::move(notice)) {}

std::shared_ptr<StepAgents::Container> StepAgents::container_of(const std::string& id) {
  std::lock_guard guard(m_mutex);
  auto& slot = m_containers[id];
  if (!slot) {
    slot = std::make_shared<Container>();
  }
  return slot;
}

void StepAgents::forget(const std::string& container) {
  std::shared_ptr<Container> gone;
  {
    std::lock_guard guard(m_mutex);
    auto found = m_containers.find(container);
    if (found == m_containers.end()) {
      return;
    }
    gone = std::move(found->second);
    m_containers.erase(found);
  }
  std::lock_guard guard(gone->mutex);
  gone->idle.clear();  // closing an agent's stdin ends it
}

void StepAgents::give_up(const JobEnv& env, Container& container, const std::string& reason) {
  container.disabled = true;
  if (m_notice) {
    m_notice("the step agent cannot run in container " + env.id.substr(0, 12) + " (" + reason +
             "); its steps run as one exec each");
  }
}

// Copies the agent to the first place where it starts; the container remembers the place.
std::unique_ptr<AgentSession> StepAgents::install(const JobEnv& env, Container& container) {
  container.tried = true;
  std::string reasons;
  // A kept container names its agent by digest, so the next run finds this very agent there.
  const std::string file = env.kept ? agent_file_name() : std::string(k_agent_name);
  const std::string path = std::string(k_container_dir) + "/" + file;
  auto present = env.kept ? m_client.path_exists(env.id, path) : Result<bool>(false);
  auto tar = present && *present ? Result<std::string>(std::string())
                                 : tar_single_file(file, agent::agent_binary(), 0755);
  auto copied = present && *present ? Result<void>()
                : tar               ? m_client.put_archive(env.id, k_container_dir, *tar)
                                    : Result<void>(tar.error());
  if (copied) {
    auto session = AgentSession::start(m_client, env.id, path);
    if (session) {
      container.path = path;
      return std::move(*session);
    }
    reasons = path + ": " + session.error().message;
  } else {
    reasons = std::string(k_container_dir) + ": " + copied.error().message;
  }
  auto host_path = write_to_host_dir(env);
  auto session = host_path ? AgentSession::start(m_client, env.id, *host_path)
                           : Result<std::unique_ptr<AgentSession>>(host_path.error());
  if (session) {
    container.path = *host_path;
    return std::move(*session);
  }
  give_up(env, container, reasons + "; " + session.error().message);
  return nullptr;
}

// A kept container's own process started an agent listening on a socket in its host directory:
// connecting costs no engine call. A container made before that, or whose agent could not start
// (a noexec mount, a user who cannot reach the directory), has no socket: its agent is exec'd.
std::unique_ptr<AgentSession> StepAgents::connect_listening(const JobEnv& env, Container& container) {
  const std::string host_dir = fs::path(env.host_temp_dir).parent_path().parent_path().string();
  const std::string socket = kept_agent_socket(host_dir);
  auto session = AgentSession::connect(socket);
  container.listening = static_cast<bool>(session);
  trace::debug([&] {
    return "step agent: " + (session ? "connected to " + socket : "no listening agent (" + session.error().message + ")");
  });
  if (!session) {
    return nullptr;
  }
  container.tried = true;
  return std::move(*session);
}

std::unique_ptr<AgentSession> StepAgents::take(const JobEnv& env, Container& container) {
  std::lock_guard guard(container.mutex);
  if (container.disabled) {
    return nullptr;
  }
  if (!container.idle.empty()) {
    auto session = std::move(container.idle.back());
    container.idle.pop_back();
    return session;
  }
  if (container.listening) {
    if (auto session = connect_listening(env, container)) {
      return session;
    }
    container.tried = false;  // the listener went (a step killed it): an exec starts an agent
  }
  if (!container.tried) {
    if (env.kept) {
      if (auto session = connect_listening(env, container)) {
        return session;
      }
    }
    return install(env, container);
  }
  // A second agent for a step running beside another, or a fresh one after a step killed its agent.
  auto session = AgentSession::start(m_client, env.id, container.path);
  if (!session) {
    give_up(env, container, session.error().message);
    return nullptr;
  }
  return std::move(*session);
}

void StepAgents::warm_up(const std::string& container, const std::string& host_dir) {
  JobEnv env;
  env.id = container;
  env.host_temp_dir = (fs::path(host_dir) / "temp").string();  // write_to_host_dir uses its parent
  auto slot = container_of(container);
  std::lock_guard guard(slot->mutex);
  if (slot->tried) {
    return;
  }
  slot->tried = true;
  auto session = install(env, *slot);
  if (session) {
    slot->idle.push_back(std::move(session));
  }
}

std::optional<Result<ExitStatus>> StepAgents::run(const JobEnv& env, const ExecSpec& spec,
                                                  const std::string& marker_line, OutputSink& sink) {
  auto container = container_of(env.id);
  auto session = take(env, *container);
  if (!session) {
    return std::nullopt;
  }
  auto ran = session->run(spec, marker_line, sink);
  if (ran && !session->broken()) {
    std::lock_guard guard(container->mutex);
    container->idle.push_back(std::move(session));
  }
  return ran;
}

}  // namespace pipeline::runner::docker
