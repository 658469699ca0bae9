#include "runner/docker/kept_idle.hpp"

#include "runner/docker/kept_agent.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace pipeline::runner::docker {
namespace {

namespace fs = std::filesystem;

constexpr const char* k_idle = ".pipe-idle";
constexpr const char* k_busy = ".pipe-busy";
constexpr const char* k_reaped = ".pipe-reaped";

// Every half of the idle time it compares the idle marker with a tick made a whole idle time
// ago; the rename to .pipe-reaped is what a job's claim races against, and only one wins. First
// it starts the agent pipe left in the directory, listening on its socket; the agent goes when
// this shell exits, with the container.
constexpr const char* k_script =
    "d=\"$1\"; h=\"$2\"; a=\"$3\"; : > \"$d/.pipe-tick-new\"\n"
    "if [ -x \"$a\" ]; then \"$a\" --listen \"$4\" & fi\n"
    "while sleep \"$h\"; do\n"
    "  if [ -e \"$d/.pipe-tick-old\" ] && [ ! \"$d/.pipe-idle\" -nt \"$d/.pipe-tick-old\" ] &&\n"
    "     mv \"$d/.pipe-idle\" \"$d/.pipe-reaped\" 2>/dev/null; then exit 0; fi\n"
    "  mv \"$d/.pipe-tick-new\" \"$d/.pipe-tick-old\"; : > \"$d/.pipe-tick-new\"\n"
    "done\n";

}  // namespace

std::vector<std::string> reaping_command(const std::string& host_dir, std::chrono::seconds idle) {
  const long half = std::max<long>(1, static_cast<long>(idle.count()) / 2);
  return {"sh", "-c", k_script, "pipe-reaper", host_dir, std::to_string(half), kept_agent_path(host_dir),
          kept_agent_socket(host_dir)};
}

bool claim_kept(const std::string& host_dir) {
  const fs::path dir(host_dir);
  if (std::rename((dir / k_idle).c_str(), (dir / k_busy).c_str()) == 0) {
    return true;
  }
  std::error_code ec;
  // A fresh directory, or one whose last user was killed mid-job: nothing reaps it, it is free.
  return !fs::remove(dir / k_reaped, ec);
}

void release_kept(const std::string& host_dir) {
  const fs::path dir(host_dir);
  std::ofstream(dir / k_idle, std::ios::trunc).flush();
  std::error_code ec;
  fs::remove(dir / k_busy, ec);
}

}  // namespace pipeline::runner::docker
