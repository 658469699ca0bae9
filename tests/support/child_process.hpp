#pragma once
// A real pipe process whose standard streams a test controls: a pipe it can close, a terminal it
// can hang up, a log file; and waiting for it without hanging the test.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace pipeline::test {

/// Where a child's standard output and error go.
struct ChildStreams {
  int out = -1;                // dup'ed to stdout
  int err = -1;                // dup'ed to stderr
  bool controlling_tty = false;  // a new session whose controlling terminal is `out` (a pty's slave)
};

/// Opens `path` as a child's log: created, truncated, and closed on exec in the parent's other
/// children (spawn_child's dup2 keeps it open in its own); -1 when it cannot be opened.
inline int open_log(const std::filesystem::path& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

/// Starts `argv` in `cwd` with `streams` and `env` added to the environment; returns its pid.
inline pid_t spawn_child(const std::vector<std::string>& argv, const std::filesystem::path& cwd, ChildStreams streams,
                         const std::vector<std::pair<std::string, std::string>>& env = {}) {
  const pid_t pid = ::fork();
  if (pid != 0) {
    return pid;
  }
  if (streams.controlling_tty) {
    ::setsid();
    (void)::ioctl(streams.out, TIOCSCTTY, 0);
  }
  // Whatever the test runner ignores, pipe starts as from an interactive shell.
  for (int signal : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) {
    ::signal(signal, SIG_DFL);
  }
  const int null = ::open("/dev/null", O_RDONLY);
  ::dup2(null, STDIN_FILENO);
  ::dup2(streams.out, STDOUT_FILENO);
  ::dup2(streams.err, STDERR_FILENO);
  for (const auto& [name, value] : env) {
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  if (::chdir(cwd.c_str()) != 0) {
    _exit(127);
  }
  std::vector<char*> args;
  for (const auto& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  _exit(127);
}

/// Waits until `file` exists, at most `limit`.
inline bool wait_for_file(const std::filesystem::path& file, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!std::filesystem::exists(file) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return std::filesystem::exists(file);
}

/// Waits up to `limit` for `pid`; kills it when it does not end. Returns its exit code, or
/// 256 + the signal that killed it (so exiting 141 and dying of SIGPIPE differ), or -1 when it
/// had to be killed.
inline int wait_child(pid_t pid, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 256 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

/// A pseudo-terminal: the child gets the slave as its terminal; closing the master hangs it up.
struct PseudoTerminal {
  int master = -1;
  int slave = -1;
  PseudoTerminal() {
    master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master >= 0 && ::grantpt(master) == 0 && ::unlockpt(master) == 0) {
      slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
    }
  }
  ~PseudoTerminal() {
    close_slave();
    hang_up();
  }
  PseudoTerminal(const PseudoTerminal&) = delete;
  PseudoTerminal& operator=(const PseudoTerminal&) = delete;

  /// The parent's copy of the slave goes, so only the child holds the terminal open.
  void close_slave() {
    if (slave >= 0) {
      ::close(slave);
      slave = -1;
    }
  }
  /// Closing the master is what a terminal window closing or an ssh session dropping does: the
  /// session leader gets SIGHUP and its terminal reads and writes fail.
  void hang_up() {
    if (master >= 0) {
      ::close(master);
      master = -1;
    }
  }
};

}  // namespace pipeline::test
