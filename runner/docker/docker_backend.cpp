#include "runner/docker/docker_backend.hpp"

#include <sys/stat.h>

#include <fstream>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "runner/system/owned_dirs.hpp"
#include "runner/docker/container_options.hpp"
#include "runner/docker/create_body.hpp"
#include "runner/docker/engine_client.hpp"
#include "runner/docker/job_container.hpp"
#include "runner/docker/kept_idle.hpp"
#include "runner/docker/reuse.hpp"
#include "runner/docker/tar_stream.hpp"
#include "runner/docker/volumes.hpp"

namespace pipeline::runner::docker {
namespace {

using namespace detail;

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* k_marker_name = "PIPE_EXEC_ID";

// Checks every options string and port first, so a typo fails before anything is created.
Result<void> validate_spec(const JobSpec& spec) {
  json scratch = json::object();
  if (auto job = apply_options_text(spec.options, scratch, ""); !job) {
    return job;
  }
  if (auto ports = publish_ports(spec.ports, scratch); !ports) {
    return ports;
  }
  if (auto volumes = apply_volumes(spec.volumes, scratch); !volumes) {
    return volumes;
  }
  for (const ServiceSpec& service : spec.services) {
    auto options = apply_options_text(service.options, scratch, "");
    auto ports = options ? publish_ports(service.ports, scratch) : options;
    auto volumes = ports ? apply_volumes(service.volumes, scratch) : ports;
    if (!volumes) {
      return Error{"service '" + service.key + "': " + volumes.error().message};
    }
  }
  return {};
}

// Kills every process whose environment carries the exec's marker (any step's marker when
// `marker` is empty): the step and all it started. All are found first, stopped, then killed:
// killing one at a time let a shell whose child died first go on and exit 0 before its own turn.
// The search costs two processes per process in the container, so one look at every environment
// at once (three processes) comes first: usually no step left anything running.
std::vector<std::string> kill_marked_command(const std::string& marker) {
  const std::string pattern = "^" + std::string(k_marker_name) + "=" + (marker.empty() ? "" : marker + "$");
  return {"sh", "-c",
          "cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -q '" + pattern + "' || exit 0; "
          "for round in 1 2 3; do pids=; for p in /proc/[0-9]*; do "
          "if tr '\\0' '\\n' <\"$p/environ\" 2>/dev/null | grep -q '" + pattern + "'; then pids=\"$pids ${p#/proc/}\"; fi; "
          "done; [ -n \"$pids\" ] || break; kill -STOP $pids 2>/dev/null; kill -9 $pids 2>/dev/null; done; true"};
}

// Discards output (used for the kill exec).
class NullSink final : public OutputSink {
public:
  void write(Stream, std::string_view) override {}
};

}  // namespace

DockerBackend::DockerBackend(std::shared_ptr<EngineClient> client, DockerBackendOptions options)
    : m_client(std::move(client)), m_options(std::move(options)) {
  if (m_options.agent == StepAgentMode::on) {
    m_agents = std::make_unique<StepAgents>(*m_client, [this](const std::string& notice) { status(notice); });
  }
  if (m_options.warm == WarmContainers::on) {
    // A warm container gets its agent while it waits: the job that takes it finds one running.
    auto ready = [this](const WarmContainer& warm) {
      if (m_agents) {
        m_agents->warm_up(warm.id, warm.host_dir);
      }
    };
    m_pool = std::make_unique<WarmPool>(*m_client, ready, [this](const std::string& line) { status(line); });
  }
}

Result<std::unique_ptr<DockerBackend>> DockerBackend::connect(DockerBackendOptions options, EngineKind kind) {
  auto client = EngineClient::connect_to(kind);
  if (!client) {
    return client.error();
  }
  return std::make_unique<DockerBackend>(std::move(*client), std::move(options));
}

void DockerBackend::status(const std::string& message) const {
  if (m_options.on_status) {
    m_options.on_status(message);
  }
}

Result<void> DockerBackend::ensure_image(const std::string& image,
                                         const std::optional<std::pair<std::string, std::string>>& credentials) {
  auto id = m_client->image_id(image);
  if (!id) {
    return id.error();
  }
  const bool found = !id->empty();
  if (found && m_options.pull != PullPolicy::always) {
    std::lock_guard guard(m_reuse_mutex);
    m_present_images[image] = *id;  // a kept container's configuration names it: no second inspect
    return {};
  }
  if (!found && m_options.pull == PullPolicy::never) {
    return Error{"image '" + image + "' is not present locally and the pull policy is 'never'"};
  }
  std::optional<RegistryAuth> auth;
  if (credentials) {
    // As GitHub's runner logs in before it pulls: refused credentials fail here, naming the image.
    auth = RegistryAuth{credentials->first, credentials->second};
    if (auto logged_in = m_client->log_in(image, *auth); !logged_in) {
      return logged_in;
    }
  }
  status("pulling " + image);
  auto pulled = m_client->pull_image(image, auth, [this](const std::string& line) { status(line); });
  if (!pulled && found) {
    status("pull of " + image + " failed; using the local image (" + pulled.error().message + ")");
    return {};
  }
  return pulled;
}

// One run at a time uses a kept container: two runs exec'ing into it at once would see each
// other's files, and the first to end would kill the other's steps. The later run does not wait.
Result<JobEnv> DockerBackend::prepare_job(const JobSpec& spec) {
  if (!spec.reuse) {
    return prepare(spec, FileLock());
  }
  auto lock = lock_kept_container(kept_host_dir(m_options.temp_root, reuse_key_hash(*spec.reuse)));
  if (!lock) {
    return Error{"preparing job '" + spec.display_name + "': " + lock.error().message};
  }
  if (lock->held()) {
    return prepare(spec, std::move(*lock));
  }
  status("--reuse: the kept container of " + spec.display_name +
         " is in use by another run; this job runs in a fresh container");
  JobSpec fresh = spec;
  fresh.reuse.reset();
  return prepare(fresh, FileLock());
}

Result<JobEnv> DockerBackend::prepare(const JobSpec& spec, FileLock reuse_lock) {
  if (auto valid = validate_spec(spec); !valid) {
    return Error{"preparing job '" + spec.display_name + "': " + valid.error().message};
  }
  JobEnv env;
  env.in_container = true;
  env.workspace = spec.workspace;
  const auto warm = warm_body(spec);
  const auto taken = warm ? m_pool->take(warm_key(*warm)) : std::nullopt;
  if (taken) {
    env.id = taken->id;
    env.has_bash = taken->has_bash;
  }
  // A kept or warm container's temp dirs live under its own directory: its bind mount is fixed
  // when the container is created, and each job (or run) that uses it makes its own dir inside.
  const fs::path job_dir = spec.reuse ? fs::path(kept_host_dir(m_options.temp_root, reuse_key_hash(*spec.reuse)))
                           : taken    ? fs::path(taken->host_dir)
                                      : fs::path(m_options.temp_root) /
                                            (owned_prefix(k_run_dir_prefix) + sanitize_name(spec.run_id)) /
                                            sanitize_name(spec.job_id);
  std::error_code ec;
  fs::create_directories(job_dir, ec);
  std::string pattern = (job_dir / "envXXXXXX").string();
  if (ec || ::mkdtemp(pattern.data()) == nullptr) {
    teardown(env);  // a taken warm container is this job's to remove
    return Error{"cannot create a temporary directory under " + job_dir.string()};
  }
  // mkdtemp makes the directory 0700: a container user other than root could not reach the temp dirs inside.
  fs::permissions(pattern, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                               fs::perms::others_read | fs::perms::others_exec, ec);
  const std::string host_dir = spec.reuse || taken ? job_dir.string() : pattern;
  env.temp_dir = env.host_temp_dir = pattern + "/temp";
  if (reuse_lock.held()) {
    std::lock_guard guard(m_reuse_mutex);
    m_reuse_locks.emplace(env.host_temp_dir, std::move(reuse_lock));
  }
  env.tool_cache = pattern + "/tool_cache";
  for (const auto& dir : {env.temp_dir, env.tool_cache}) {
    fs::create_directories(dir, ec);
    fs::permissions(dir, fs::perms::all, ec);  // a container user other than root must write here too
  }
  auto prepared = [&]() -> Result<void> {
    if (auto image = ensure_image(spec.image, spec.credentials); !image) {
      return image;
    }
    if (!m_options.network.empty()) {
      env.network = spec.services.empty() ? std::string() : m_options.network;
    } else if (!spec.services.empty() || !spec.use_host_network) {
      auto network = m_client->create_network(object_name(spec, random_hex(6)), pipe_labels(spec.run_id, spec.job_id));
      if (!network) {
        return network.error();
      }
      env.network = *network;
    }
    if (auto services = start_services(spec, env); !services) {
      return services;
    }
    if (auto job = start_job_container(spec, env, host_dir); !job) {
      return job;
    }
    // After the job's own container started: made at once, the ones ahead slowed its start.
    warm_next(spec, warm);
    if (!spec.network.empty() && !spec.reuse && job_network_mode(spec, env) != spec.network) {  // --network: join it too
      if (auto joined = m_client->connect_network(spec.network, env.id, {}); !joined) {
        return Error{"--network " + spec.network + ": " + joined.error().message};
      }
    }
    return await_services(spec, env);
  }();
  if (!prepared) {
    teardown(env);
    return Error{"preparing job '" + spec.display_name + "': " + prepared.error().message};
  }
  return env;
}

Result<void> DockerBackend::start_job_container(const JobSpec& spec, JobEnv& env, const std::string& host_dir) {
  auto body = job_container_body(spec, env, host_dir,
                                 m_options.engine_socket == EngineSocket::mount ? m_client->endpoint().unix_path : "");
  if (!body) {
    return body.error();
  }
  if (!m_options.network.empty() && !spec.reuse) {
    (*body)["HostConfig"]["NetworkMode"] = m_options.network;
  }
  if (!env.id.empty()) {
    // A warm container, started before this job: it only needs the job's network and files.
    if (auto joined = join_job_network(spec, env); !joined) {
      return joined;
    }
  } else if (spec.reuse) {
    if (auto kept = start_kept_container(spec, env, std::move(*body), host_dir); !kept) {
      return kept;
    }
  } else {
    auto id = m_client->create_container(*body, object_name(spec, random_hex(6)));
    if (!id) {
      return id.error();
    }
    env.id = *id;
    // The image's bash is looked up while the container starts: the start is the engine's slowest call.
    auto bash = std::async(std::launch::async, [this, id = env.id] { return m_client->path_exists(id, "/bin/bash"); });
    auto started = m_client->start_container(env.id);
    const auto found = bash.get();
    if (!started) {
      return started;
    }
    env.has_bash = found && *found;
  }
  if (spec.copy_workspace && !spec.workspace.empty()) {
    // Entries named after the absolute path, extracted at "/": the copy lands where a bind would.
    auto tar = tar_directory(spec.workspace, spec.workspace.substr(spec.workspace.find_first_not_of('/')));
    auto copied = tar ? m_client->put_archive(env.id, "/", *tar) : Result<void>(tar.error());
    if (!copied) {
      return copied;
    }
  }
  if (spec.reuse) {
    env.has_bash = kept_has_bash(*m_client, env.id, host_dir);
  }
  return {};
}

Result<ExitStatus> DockerBackend::exec(const JobEnv& env, const ExecSpec& spec, OutputSink& sink) {
  if (env.id.empty() || spec.argv.empty()) {
    return Error{env.id.empty() ? "exec: the job has no container (prepare_job failed?)" : "exec: empty command"};
  }
  const std::string marker = random_hex(16);
  if (m_agents) {
    if (auto ran = m_agents->run(env, spec, std::string(k_marker_name) + "=" + marker, sink)) {
      return *ran;
    }
  }
  ExecConfig config;
  config.cmd = spec.argv;
  config.env = env_lines(spec.env);
  // The engine cannot kill an exec; the marker lets a second exec find every process the step started.
  config.env.push_back(std::string(k_marker_name) + "=" + marker);
  config.working_dir = spec.cwd;
  auto exec_id = m_client->create_exec(env.id, config);
  if (!exec_id) {
    return exec_id.error();
  }
  ExitStatus result;
  const auto deadline = std::chrono::steady_clock::now() + spec.timeout;
  auto keep_going = [&] {
    if (spec.cancel != nullptr && spec.cancel->cancelled()) {
      result.cancelled = true;
    } else if (spec.timeout.count() > 0 && std::chrono::steady_clock::now() >= deadline) {
      result.timed_out = true;
    }
    return !result.cancelled && !result.timed_out;
  };
  auto ended = m_client->start_exec(*exec_id, sink, keep_going);
  if (!ended) {
    return ended.error();
  }
  auto code = finish_exec(env, *exec_id, *ended == StreamEnd::interrupted ? marker : "");
  if (!code) {
    return code.error();
  }
  result.code = *code;
  return result;
}

// Kills the exec's processes (when `marker` is set) and waits for the engine to record its exit code.
Result<int> DockerBackend::finish_exec(const JobEnv& env, const std::string& exec_id, const std::string& marker) {
  if (!marker.empty()) {
    ExecConfig kill;
    kill.cmd = kill_marked_command(marker);
    kill.user = "0";
    auto kill_id = m_client->create_exec(env.id, kill, Wait::brief);
    NullSink ignore;
    auto killed = kill_id ? m_client->start_exec(*kill_id, ignore, {}) : Result<StreamEnd>(kill_id.error());
    if (!killed) {
      return Error{"cannot stop the step's processes in container " + env.id.substr(0, 12) + ": " + killed.error().message};
    }
  }
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (true) {
    auto info = m_client->inspect_exec(exec_id);
    if (!info) {
      return info.error();
    }
    if (!info->running || std::chrono::steady_clock::now() > give_up) {
      return info->running ? 137 : info->exit_code;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Result<ExitStatus> DockerBackend::run_container(const JobEnv& env, const ContainerRun& run, OutputSink& sink) {
  if (auto image = ensure_image(run.image, std::nullopt); !image) {
    return image.error();
  }
  Labels labels = pipe_labels(run.run_id, run.job_id);
  labels["pipe.role"] = "step";
  json body{{"Image", run.image},
            {"Env", env_lines(run.env)},
            {"Labels", label_json(labels)},
            {"AttachStdout", true},
            {"AttachStderr", true},
            {"HostConfig", {{"Binds", json::array()}, {"NetworkMode", env.network.empty() ? "host" : env.network}}}};
  if (run.entrypoint) {
    body["Entrypoint"] = *run.entrypoint;
  }
  if (!run.args.empty()) {
    body["Cmd"] = run.args;
  }
  if (!run.workdir.empty()) {
    body["WorkingDir"] = run.workdir;
  }
  for (const Mount& mount : run.mounts) {
    body["HostConfig"]["Binds"].push_back(mount.source + ":" + mount.target + (mount.read_only ? ":ro" : ""));
  }
  // GitHub's runner mounts the engine's socket into every Docker action, so actions can run docker.
  if (const std::string& socket = m_client->endpoint().unix_path;
      m_options.engine_socket == EngineSocket::mount && !socket.empty()) {
    body["HostConfig"]["Binds"].push_back(socket + ":/var/run/docker.sock");
  }
  auto id = m_client->create_container(body);
  if (!id) {
    return id.error();
  }
  auto ran = attach_and_wait(*id, run, sink);
  if (auto removed = m_client->remove_container(*id); !removed) {
    status(removed.error().message);
  }
  return ran;
}

// Attaches before starting so no output is lost; a timeout or cancel kills the container.
Result<ExitStatus> DockerBackend::attach_and_wait(const std::string& id, const ContainerRun& run, OutputSink& sink) {
  auto stream = m_client->attach_container(id);
  if (!stream) {
    return stream.error();
  }
  if (auto started = m_client->start_container(id); !started) {
    return started.error();
  }
  ExitStatus result;
  const auto deadline = std::chrono::steady_clock::now() + run.timeout;
  auto keep_going = [&] {
    result.cancelled = run.cancel != nullptr && run.cancel->cancelled();
    result.timed_out = !result.cancelled && run.timeout.count() > 0 && std::chrono::steady_clock::now() >= deadline;
    return !result.cancelled && !result.timed_out;
  };
  auto ended = EngineClient::read_multiplexed(**stream, sink, keep_going);
  if (!ended) {
    return ended.error();
  }
  if (*ended == StreamEnd::interrupted) {
    [[maybe_unused]] auto killed = m_client->kill_container(id);  // it may have exited meanwhile
  }
  auto code = m_client->wait_container(id);
  if (!code) {
    return code.error();
  }
  result.code = *code;
  return result;
}

// A kept container starts the next run idle: whatever the job's steps left running goes.
void DockerBackend::stop_leftover_processes(const JobEnv& env) {
  NullSink discard;
  // Through the job's agent it is a fork, not an engine exec; the agent itself carries no marker.
  if (auto ran = m_agents ? m_agents->run(env, ExecSpec{kill_marked_command(""), {}, "/", {}, nullptr}, "PIPE_KILLER=1", discard)
                          : std::nullopt;
      ran && *ran) {
    if (!env.joined_network.empty()) {
      if (auto left = m_client->disconnect_network(env.joined_network, env.id, Wait::brief); !left) {
        status("teardown: " + left.error().message);
      }
    }
    return;
  }
  ExecConfig kill;
  kill.cmd = kill_marked_command("");
  kill.user = "0";
  auto kill_id = m_client->create_exec(env.id, kill, Wait::brief);
  NullSink ignore;
  auto killed = kill_id ? m_client->start_exec(*kill_id, ignore, {}) : Result<StreamEnd>(kill_id.error());
  if (!killed) {
    status("teardown: " + killed.error().message);
  }
  if (!env.joined_network.empty()) {
    if (auto left = m_client->disconnect_network(env.joined_network, env.id, Wait::brief); !left) {
      status("teardown: " + left.error().message);
    }
  }
}

void DockerBackend::teardown(const JobEnv& env) {
  std::vector<std::string> containers;
  if (!env.id.empty() && env.kept) {
    stop_leftover_processes(env);
    release_kept(fs::path(env.host_temp_dir).parent_path().parent_path().string());
  }
  if (m_agents && !env.id.empty()) {
    m_agents->forget(env.id);
  }
  if (!env.id.empty() && !env.kept) {
    containers.push_back(env.id);
  }
  for (const auto& service : env.services) {
    containers.push_back(service.id);
  }
  std::vector<std::thread> removals;
  for (const auto& id : containers) {
    removals.emplace_back([this, id] {
      if (auto removed = m_client->remove_container(id, Wait::brief); !removed) {
        status("teardown: " + removed.error().message);
      }
    });
  }
  for (auto& removal : removals) {
    removal.join();
  }
  if (!env.network.empty() && env.network != m_options.network) {
    if (auto removed = m_client->remove_network(env.network, Wait::brief); !removed) {
      status("teardown: " + removed.error().message);
    }
  }
  if (!env.host_temp_dir.empty()) {
    const fs::path dir = fs::path(env.host_temp_dir).parent_path();
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (dir.parent_path().filename().string().rfind("warm-", 0) == 0) {
      fs::remove_all(dir.parent_path(), ec);  // a taken warm container's directory goes with it
    }
    if (!env.kept) {  // a kept container's directory is its bind mount: it stays with the container
      fs::remove(dir.parent_path(), ec);  // the job's and run's folders go when they are empty
      fs::remove(dir.parent_path().parent_path(), ec);
    }
  }
  std::lock_guard guard(m_reuse_mutex);
  m_reuse_locks.erase(env.host_temp_dir);  // the kept container is free for the next run
}

}  // namespace pipeline::runner::docker
