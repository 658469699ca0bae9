#pragma once
// What the daemon's scenarios share: a runner registered with the forge stand-in in a scratch
// directory, serving `linux` jobs on the host, and the tasks they queue.
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/files.hpp"
#include "support/forge_standin.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace forge_test {

namespace fs = std::filesystem;
using nlohmann::json;
using pipeline::test::ForgeStandin;
using pipeline::test::StandinTask;

inline constexpr std::chrono::seconds k_limit{120};  // a hung daemon fails the test instead of hanging it

/// A registered runner in a scratch directory, serving `linux` jobs on the host.
struct Runner {
  explicit Runner(const ForgeStandin& standin, const std::string& extra_config = "") : dir("forge-runner") {
    const auto reg = pipeline::test::run_process({PIPE_EXE, "runner", "register", "--no-interactive", "--instance",
                                                  standin.address(), "--token", ForgeStandin::registration_token(),
                                                  "--name", "test-runner", "--labels", "linux:host"},
                                                 dir.path.string());
    registered = reg.exit_code == 0;
    register_output = reg.out + reg.err;
    fs::create_directories(dir.path / "work");
    pipeline::test::write_file(dir.path / "config.yml", "runner:\n  fetch_interval: 100ms\n  report_interval: 100ms\n" +
                                                            extra_config + "host:\n  workdir_parent: " +
                                                            (dir.path / "work").string() + "\n");
  }

  /// Runs `pipe runner daemon --once` to its end.
  pipeline::test::ProcessResult once() const {
    return pipeline::test::run_process({PIPE_EXE, "runner", "daemon", "--config", "config.yml", "--once"},
                                       dir.path.string());
  }

  /// Starts the daemon in the background; its output goes to daemon.log.
  pid_t start() const {
    const int log = pipeline::test::open_log(dir.path / "daemon.log");
    const pid_t pid = pipeline::test::spawn_child({PIPE_EXE, "runner", "daemon", "--config", "config.yml", "--once"},
                                                  dir.path, {log, log});
    ::close(log);
    return pid;
  }

  pipeline::test::TempDir dir;
  bool registered = false;
  std::string register_output;
};

inline json push_context() {
  return {{"event_name", "push"},
          {"event", {{"ref", "refs/heads/main"}}},
          {"repository", "team/app"},
          {"ref", "refs/heads/main"},
          {"sha", "0123456789abcdef0123456789abcdef01234567"},
          {"token", "task-token-abcdef123456"}};
}

inline StandinTask task(std::int64_t id, const std::string& steps, const std::string& job_extra = "") {
  StandinTask t;
  t.id = id;
  t.workflow = "name: ci\non: push\njobs:\n  build:\n    runs-on: linux\n" + job_extra + "    steps:\n" + steps;
  t.context = push_context();
  return t;
}

inline std::string joined(const std::vector<std::string>& rows) {
  std::string out;
  for (const auto& row : rows) {
    out += row + "\n";
  }
  return out;
}


}  // namespace forge_test
