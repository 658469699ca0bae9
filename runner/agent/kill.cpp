#include "runner/agent/kill.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>
#include <vector>

namespace pipeline::runner::agent {
namespace {

bool environ_holds(int pid, std::string_view line) {
  const std::string path = "/proc/" + std::to_string(pid) + "/environ";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  std::string content;
  char buffer[8192];
  ssize_t n = 0;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) {
    content.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  std::string_view rest = content;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\0');
    if (rest.substr(0, end) == line) {
      return true;
    }
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
  }
  return false;
}

std::vector<int> marked_processes(std::string_view line) {
  std::vector<int> pids;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) {
    return pids;
  }
  while (const dirent* entry = ::readdir(proc)) {
    const int pid = std::atoi(entry->d_name);
    if (pid > 0 && pid != ::getpid() && environ_holds(pid, line)) {
      pids.push_back(pid);
    }
  }
  ::closedir(proc);
  return pids;
}

}  // namespace

// All are found, stopped, then killed, a few rounds: killing one at a time let a shell whose
// child died first go on (and start more) before its own turn came.
void kill_marked(const std::string& marker_line) {
  if (marker_line.empty()) {
    return;
  }
  for (int round = 0; round < 3; ++round) {
    const std::vector<int> pids = marked_processes(marker_line);
    if (pids.empty()) {
      return;
    }
    for (int pid : pids) {
      ::kill(pid, SIGSTOP);
    }
    for (int pid : pids) {
      ::kill(pid, SIGKILL);
    }
  }
}

}  // namespace pipeline::runner::agent
