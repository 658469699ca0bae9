// `pipe clean`: removes containers and networks left behind by runs that died without a teardown.
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <fstream>

#include "runner/docker/docker_backend.hpp"
#include "runner/docker/engine_client.hpp"
#include "runner/docker/reuse.hpp"

namespace pipeline::runner::docker {
namespace {

std::string label_or_empty(const Labels& labels, const std::string& key) {
  const auto it = labels.find(key);
  return it == labels.end() ? std::string() : it->second;
}

// A run is alive while its pipe process is; objects from another host are never judged dead.
bool owner_alive(const Labels& labels) {
  char host[256] = "";
  ::gethostname(host, sizeof host - 1);
  if (label_or_empty(labels, "pipe.host") != host) {
    return true;
  }
  const long pid = std::atol(label_or_empty(labels, "pipe.pid").c_str());
  if (pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM)) {
    return false;
  }
  // A killed pipe whose parent never reaps it (an init that does not reap) stays a zombie.
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("State:", 0) == 0) {
      return line.find('Z') == std::string::npos;
    }
  }
  return true;
}

bool is_kept(const LabelledObject& object) {
  return object.labels.count(k_reuse_label) != 0;
}

// A kept container's creator is usually long gone; that does not make it a leftover.
bool selected(const LabelledObject& object, const std::string& run_id, LiveRuns live, KeptContainers kept) {
  if (!run_id.empty() && label_or_empty(object.labels, "pipe.run") != run_id) {
    return false;
  }
  if (is_kept(object)) {
    return kept == KeptContainers::remove;
  }
  return live == LiveRuns::remove || !owner_alive(object.labels);
}

// A run killed while a kept container was on its network leaves that container attached, and the
// engine refuses to remove a network with endpoints: detach them first.
Result<void> remove_network_detached(EngineClient& client, const std::string& network) {
  if (auto removed = client.remove_network(network); removed) {
    return removed;
  }
  if (auto attached = client.network_containers(network); attached) {
    for (const auto& container : *attached) {
      [[maybe_unused]] auto left = client.disconnect_network(network, container);
    }
  }
  return client.remove_network(network);
}

// Whether a live `--reuse` run uses the kept container right now; when none does, `lock` holds it
// for this cleanup. A lock that cannot be taken for another reason (labels that name no host
// directory, an unwritable temp root) does not save the container.
bool in_use_by_live_run(const LabelledObject& container, FileLock& lock) {
  if (!is_kept(container)) {
    return false;
  }
  auto taken = lock_kept_container(container.labels);
  if (!taken) {
    return false;
  }
  lock = std::move(*taken);
  return !lock.held();
}

std::string display_name(const LabelledObject& container) {
  const std::string& name = container.name;
  return name.empty() ? container.id.substr(0, 12) : name.substr(name.front() == '/' ? 1 : 0);
}

}  // namespace

Result<CleanupReport> cleanup_leftovers(EngineClient& client, const std::string& run_id, LiveRuns live,
                                        KeptContainers kept) {
  CleanupReport report;
  auto containers = client.list_containers("pipe=1");
  if (!containers) {
    return containers.error();
  }
  for (const auto& container : *containers) {
    if (!selected(container, run_id, live, kept)) {
      continue;
    }
    FileLock lock;
    if (in_use_by_live_run(container, lock) && live == LiveRuns::keep) {
      report.in_use.push_back(display_name(container));
      continue;
    }
    auto removed = client.remove_container(container.id);
    if (!removed) {
      report.errors.push_back(removed.error().message);
      continue;
    }
    ++report.containers;
    if (is_kept(container)) {
      ++report.kept;
      remove_kept_host_dir(container.labels);
    }
  }
  // Networks go after their containers: the engine refuses to delete a network with endpoints.
  auto networks = client.list_networks("pipe=1");
  if (!networks) {
    return networks.error();
  }
  for (const auto& network : *networks) {
    if (!selected(network, run_id, live, kept)) {
      continue;
    }
    auto removed = remove_network_detached(client, network.id);
    removed ? ++report.networks : (report.errors.push_back(removed.error().message), 0);
  }
  return report;
}

}  // namespace pipeline::runner::docker
