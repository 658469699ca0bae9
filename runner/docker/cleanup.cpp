// `pipe clean`: removes containers and networks left behind by runs that died without a teardown.
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "runner/docker/docker_backend.hpp"

#include <fstream>
#include "runner/docker/engine_client.hpp"

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

bool selected(const LabelledObject& object, const std::string& run_id, LiveRuns live) {
  if (!run_id.empty() && label_or_empty(object.labels, "pipe.run") != run_id) {
    return false;
  }
  return live == LiveRuns::remove || !owner_alive(object.labels);
}

}  // namespace

Result<CleanupReport> cleanup_leftovers(EngineClient& client, const std::string& run_id, LiveRuns live) {
  CleanupReport report;
  auto containers = client.list_containers("pipe=1");
  if (!containers) {
    return containers.error();
  }
  for (const auto& container : *containers) {
    if (!selected(container, run_id, live)) {
      continue;
    }
    auto removed = client.remove_container(container.id);
    removed ? ++report.containers : (report.errors.push_back(removed.error().message), 0);
  }
  // Networks go after their containers: the engine refuses to delete a network with endpoints.
  auto networks = client.list_networks("pipe=1");
  if (!networks) {
    return networks.error();
  }
  for (const auto& network : *networks) {
    if (!selected(network, run_id, live)) {
      continue;
    }
    auto removed = client.remove_network(network.id);
    removed ? ++report.networks : (report.errors.push_back(removed.error().message), 0);
  }
  return report;
}

}  // namespace pipeline::runner::docker
