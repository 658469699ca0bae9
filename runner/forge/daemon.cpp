#include "runner/forge/daemon.hpp"

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "runner/system/owned_dirs.hpp"
#include "runner/docker/docker_backend.hpp"
#include "runner/forge/backoff.hpp"
#include "runner/forge/poller.hpp"
#include "runner/forge/registration.hpp"
#include "runner/forge/task_ledger.hpp"
#include "runner/forge/task_reporter.hpp"
#include "runner/forge/task_run.hpp"

namespace pipeline::runner::forge {

namespace fs = std::filesystem;

namespace {

/// How long a finished task's last rows and result may take to reach a server that is down.
constexpr std::chrono::minutes k_close_limit{10};

std::mutex g_log_mutex;

void log_line(const std::string& line) {
  std::lock_guard lock(g_log_mutex);
  std::cerr << "pipe runner: " << line << std::endl;
}

/// The daemon's workers and the tasks they run.
class Daemon {
public:
  Daemon(const DaemonConfig& config, const DaemonOptions& options, const ForgeClient& client, TaskSettings settings,
        const TaskLedger& ledger, std::string runner_name)
      : m_config(config),
        m_options(options),
        m_client(client),
        m_settings(std::move(settings)),
        m_ledger(ledger),
        m_runner_name(std::move(runner_name)),
        m_poller(client, config.fetch_timeout) {}

  /// Runs until `interruption` or --once ends it.
  void run(engine::Interruption& interruption) {
    std::vector<std::thread> workers;
    for (std::size_t i = 0; i < m_config.capacity; ++i) {
      workers.emplace_back([this] { work(); });
    }
    while (m_workers_left.load() > 0 && !interruption.cancel().wait_for(std::chrono::milliseconds(200))) {
    }
    if (interruption.cancel().cancelled()) {
      shut_down(interruption);
    }
    m_stop.cancel();
    for (auto& worker : workers) {
      worker.join();
    }
  }

private:
  // Stop fetching; running tasks may finish within shutdown_timeout, then they are cancelled
  // (a second SIGTERM cancels them at once, and stops them hard).
  void shut_down(engine::Interruption& interruption) {
    log_line("stopping: no new tasks; " + std::to_string(running_count()) + " running");
    m_stop.cancel();
    const auto deadline = std::chrono::steady_clock::now() + m_config.shutdown_timeout;
    while (running_count() > 0 && std::chrono::steady_clock::now() < deadline &&
           !interruption.hard().wait_for(std::chrono::milliseconds(100))) {
    }
    cancel_running(interruption.hard().cancelled());
    // Cancelled tasks still run their `always()` steps and cleanup; a second SIGTERM cuts those short.
    while (running_count() > 0) {
      if (interruption.hard().wait_for(std::chrono::milliseconds(200))) {
        cancel_running(true);
        break;
      }
    }
  }

  void cancel_running(bool hard) {
    std::lock_guard lock(m_mutex);
    for (auto& [id, task] : m_running) {
      if (task->interrupt(SIGTERM)) {
        log_line("task " + std::to_string(id) + ": cancelled by the runner's shutdown");
      }
      if (hard) {
        task->hard().cancel();
      }
    }
  }

  std::size_t running_count() {
    std::lock_guard lock(m_mutex);
    return m_running.size();
  }

  void work() {
    Backoff backoff(m_config.fetch_interval, m_config.fetch_interval_max);
    while (!m_stop.cancelled()) {
      auto fetched = m_poller.fetch();
      std::chrono::milliseconds wait{0};
      if (!fetched) {
        wait = backoff.after_failure();
        if (backoff.failures() == 1 || backoff.failures() % 10 == 0) {
          log_line("cannot fetch tasks: " + fetched.error().message + " (" + std::to_string(backoff.failures()) +
                   " failure(s) in a row)");
        }
      } else if (*fetched) {
        m_taken.fetch_add(1);
        run_one(**fetched);
        (void)backoff.after_success();
        continue;  // another task may wait: ask at once
      } else {
        if (m_options.once && m_taken.load() > 0) {
          m_stop.cancel();
          break;
        }
        wait = backoff.after_success();
      }
      (void)m_stop.wait_for(wait);
    }
    m_workers_left.fetch_sub(1);
  }

  void run_one(const Task& task) {
    const std::string name = "task " + std::to_string(task.id);
    log_line(name + ": started");
    // A record of the task until its end reached the server: a killed daemon's next start reports it.
    if (auto recorded = m_ledger.taken(task.id, m_runner_name); !recorded) {
      log_line(name + ": " + recorded.error().message);
    }
    TaskLog log(task.id, task_step_count(task));
    engine::Interruption interruption;
    {
      std::lock_guard lock(m_mutex);
      m_running[task.id] = &interruption;
    }
    TaskResult result = TaskResult::failure;
    {
      TaskReporter reporter(
          m_client, log, m_config.report_interval,
          [&log, &interruption, name] {
            log_line(name + ": cancelled on the server");
            log.add_row("pipe: the job was cancelled");
            interruption.interrupt(SIGTERM);
          },
          [name](const std::string& line) { log_line(name + ": " + line); });
      log.add_row("pipe runner " + std::string(k_runner_version) + " runs task " + std::to_string(task.id));
      result = run_task(task, m_settings, log, reporter, interruption);
      {
        std::lock_guard lock(m_mutex);
        m_running.erase(task.id);
      }
      log.finish(result);
      if (auto closed = reporter.close(k_close_limit); !closed) {
        log_line(name + ": could not report the end: " + closed.error().message);
      } else {
        m_ledger.finished(task.id);
      }
    }
    log_line(name + ": " + to_context_word(result));
  }

  const DaemonConfig& m_config;
  const DaemonOptions& m_options;
  const ForgeClient& m_client;
  TaskSettings m_settings;
  const TaskLedger& m_ledger;
  std::string m_runner_name;
  Poller m_poller;
  CancelToken m_stop;
  std::atomic<std::size_t> m_workers_left{m_config.capacity};
  std::atomic<int> m_taken{0};
  std::mutex m_mutex;
  std::map<std::int64_t, engine::Interruption*> m_running;
};

/// Containers and networks of tasks whose daemon was killed go at the next start (those of live
/// pipes stay); only when jobs may run in containers, so a host-only runner needs no engine.
void remove_dead_containers(const std::vector<Label>& labels) {
  const bool containers = std::any_of(labels.begin(), labels.end(),
                                      [](const Label& label) { return label.schema == LabelSchema::docker; });
  if (!containers) {
    return;
  }
  auto client = docker::EngineClient::connect_from_environment();
  if (!client) {
    log_line("no container engine answers yet: " + client.error().message);
    return;
  }
  auto cleaned = docker::cleanup_leftovers(**client, "", docker::LiveRuns::keep);
  if (cleaned && cleaned->containers + cleaned->networks > 0) {
    log_line("removed " + std::to_string(cleaned->containers) + " container(s) and " +
             std::to_string(cleaned->networks) + " network(s) left by a stopped runner");
  }
}

fs::path work_root(const DaemonConfig& config) {
  return config.workdir_parent.empty() ? fs::path(default_temp_root()) : fs::absolute(config.workdir_parent);
}

}  // namespace

int run_daemon(const DaemonOptions& options, engine::Interruption& interruption) {
  auto config = load_daemon_config(options.config_file);
  if (!config) {
    log_line(config.error().message);
    return 2;
  }
  auto registration = load_registration(config->registration_file);
  if (!registration) {
    log_line(registration.error().message);
    return 1;
  }
  auto labels = parse_labels(config->labels.empty() ? registration->labels : config->labels);
  if (!labels) {
    log_line(labels.error().message);
    return 2;
  }
  // The engine the config names is the one every part of pipe connects to: DOCKER_HOST. One
  // that does not answer stops the daemon, rather than running container jobs elsewhere.
  if (const auto& host = config->container.docker_host; !host.empty() && host != "-") {
    ::setenv("DOCKER_HOST", host.c_str(), 1);
    if (auto engine = docker::EngineClient::connect_from_environment(); !engine) {
      log_line((options.config_file.empty() ? std::string("config") : options.config_file) +
               ": container.docker_host '" + host + "': " + engine.error().message);
      return 1;
    }
  }
  const ForgeClient client(registration->address, config->insecure ? TlsCheck::skip : TlsCheck::verify,
                           registration->uuid, registration->token);
  // Labels and version are declared at each start, so relabelling needs no new registration.
  if (auto declared = client.declare(k_runner_version, label_names(*labels)); !declared) {
    if (declared.error().message.find("unimplemented") == std::string::npos) {
      log_line("cannot declare the runner: " + declared.error().message);
      return 1;
    }
    log_line("the server does not know Declare (an older forge): labels stay as registered");
  }
  TaskSettings settings;
  settings.config = &*config;
  settings.labels = *labels;
  settings.version = k_runner_version;
  settings.instance = registration->address;
  settings.work_root = work_root(*config);
  std::error_code ec;
  fs::create_directories(settings.work_root, ec);
  // Workspaces of a daemon that was killed go now; those of live daemons stay.
  if (const auto removed = remove_orphaned_dirs(settings.work_root, k_task_dir_prefix, LiveOwners::keep); removed > 0) {
    log_line("removed " + std::to_string(removed) + " workspace(s) left by a stopped runner");
  }
  remove_dead_containers(*labels);
  // Tasks a killed daemon was running are still running on the server: they end as failed now.
  const TaskLedger ledger(fs::absolute(config->registration_file));
  (void)report_leftovers(client, ledger, log_line);
  log_line(registration->name + " (" + registration->address + ") polls with capacity " +
           std::to_string(config->capacity));
  Daemon daemon(*config, options, client, std::move(settings), ledger, registration->name);
  daemon.run(interruption);
  log_line("stopped");
  return 0;
}

}  // namespace pipeline::runner::forge
