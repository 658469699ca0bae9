#include "runner/agent/step.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "runner/agent/kill.hpp"

extern char** environ;

namespace pipeline::runner::agent {
namespace {

constexpr std::string_view k_marker_prefix = "PIPE_EXEC_ID=";
// Without a pidfd (an old kernel, a strict seccomp profile) the leader's exit is noticed by this tick.
constexpr int k_wait_tick_ms = 5;

long long now_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// The step's environment: the agent's own (the container's, as an exec would get it) with the
// request's variables laid over it, as the engine merges an exec's Env into the container's.
std::vector<std::string> merged_environment(const std::vector<std::string>& overrides) {
  std::vector<std::string> env;
  auto name_of = [](const std::string& line) { return line.substr(0, line.find('=')); };
  for (char** entry = environ; *entry != nullptr; ++entry) {
    env.emplace_back(*entry);
  }
  for (const auto& line : overrides) {
    bool replaced = false;
    for (auto& existing : env) {
      if (name_of(existing) == name_of(line)) {
        existing = line;
        replaced = true;
      }
    }
    if (!replaced) {
      env.push_back(line);
    }
  }
  return env;
}

std::string marker_of(const Request& request) {
  for (const auto& line : request.env) {
    if (line.compare(0, k_marker_prefix.size(), k_marker_prefix) == 0) {
      return line;
    }
  }
  return {};
}

void child_fail(const std::string& what, int error, int code) {
  const std::string message = "pipe-agent: " + what + ": " + std::strerror(error) + "\n";
  [[maybe_unused]] auto written = ::write(2, message.data(), message.size());
  ::_exit(code);
}

bool switch_user(const std::string& user) {
  if (user.empty()) {
    return true;
  }
  const auto colon = user.find(':');
  const auto uid = static_cast<uid_t>(std::strtoul(user.c_str(), nullptr, 10));
  const auto gid = colon == std::string::npos ? static_cast<gid_t>(uid)
                                              : static_cast<gid_t>(std::strtoul(user.c_str() + colon + 1, nullptr, 10));
  return ::setgroups(0, nullptr) == 0 && ::setgid(gid) == 0 && ::setuid(uid) == 0;
}

// Runs in the forked child: never returns. The agent is single-threaded, so allocating here is safe.
[[noreturn]] void exec_child(const Request& request, int out, int err) {
  ::setsid();  // its own session and process group, so a timeout can end the whole tree
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  const int null = ::open("/dev/null", O_RDONLY);
  ::dup2(null, 0);
  ::dup2(out, 1);
  ::dup2(err, 2);
  if (!request.cwd.empty() && ::chdir(request.cwd.c_str()) != 0) {
    child_fail("cannot change to directory " + request.cwd, errno, 126);
  }
  if (!switch_user(request.user)) {
    child_fail("cannot run as user " + request.user, errno, 126);
  }
  std::vector<std::string> env = merged_environment(request.env);
  std::vector<char*> envp;
  for (auto& line : env) {
    envp.push_back(line.data());
  }
  envp.push_back(nullptr);
  std::vector<std::string> args = request.argv;
  std::vector<char*> argv;
  for (auto& arg : args) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  environ = envp.data();  // execvp looks the program up in the step's PATH, as the engine does
  ::execvp(argv[0], argv.data());
  child_fail("cannot run " + request.argv[0], errno, errno == ENOENT ? 127 : 126);
  ::_exit(127);
}

/// The poll loop around one child: output, the deadline, cancel frames and the leader's exit.
class Supervisor {
public:
  Supervisor(int pid, int out, int err, const Request& request, Channel& channel)
      : m_pid(pid), m_out(out), m_err(err), m_request(request), m_channel(channel) {
    m_pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (request.timeout_ms > 0) {
      m_deadline = now_ms() + static_cast<long long>(request.timeout_ms);
    }
  }
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;
  ~Supervisor() {
    for (int fd : {m_out, m_err, m_pidfd}) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
  }

  Exit run() {
    while (!m_exited) {
      check_stop();
      poll_once();
    }
    drain(m_out, FrameType::out);
    drain(m_err, FrameType::err);
    Exit exit;
    if (m_stopped) {
      ::kill(-m_pid, SIGKILL);  // members of the group that outlived the leader go too
      kill_marked(marker_of(m_request));
      exit.timed_out = m_timed_out;
      exit.cancelled = !m_timed_out;
    }
    if (WIFEXITED(m_status)) {
      exit.status = WEXITSTATUS(m_status);
    } else if (WIFSIGNALED(m_status)) {
      exit.signal = WTERMSIG(m_status);
      exit.status = 128 + exit.signal;
    }
    return exit;
  }

private:
  void check_stop() {
    const long long now = now_ms();
    if (!m_stopped && m_deadline > 0 && now >= m_deadline) {
      begin_stop(true, now);
    } else if (m_stopped && !m_killed && now >= m_kill_at) {
      ::kill(-m_pid, SIGKILL);
      const std::string marker = marker_of(m_request);
      if (!marker.empty()) {
        kill_marked(marker);
      }
      m_killed = true;
    }
  }

  void begin_stop(bool timed_out, long long now) {
    if (m_stopped) {
      return;
    }
    m_stopped = true;
    m_timed_out = timed_out;
    ::kill(-m_pid, SIGTERM);
    m_kill_at = now + k_kill_grace_ms;
  }

  int poll_timeout() const {
    long long wait = -1;
    const long long now = now_ms();
    auto until = [&](long long at) {
      const long long left = at > now ? at - now + 1 : 0;
      wait = wait < 0 ? left : std::min(wait, left);
    };
    if (!m_stopped && m_deadline > 0) {
      until(m_deadline);
    }
    if (m_stopped && !m_killed) {
      until(m_kill_at);
    }
    if (m_pidfd < 0) {
      until(now + k_wait_tick_ms);
    }
    return static_cast<int>(wait);
  }

  void poll_once() {
    pollfd fds[4];
    nfds_t count = 0;
    for (int fd : {m_out, m_err, m_pidfd, m_channel.closed() ? -1 : m_channel.input_fd()}) {
      if (fd >= 0) {
        fds[count++] = pollfd{fd, POLLIN, 0};
      }
    }
    const int ready = ::poll(fds, count, poll_timeout());
    for (nfds_t i = 0; i < count && ready > 0; ++i) {
      if (fds[i].revents == 0) {
        continue;
      }
      if (fds[i].fd == m_out) {
        read_some(m_out, FrameType::out);
      } else if (fds[i].fd == m_err) {
        read_some(m_err, FrameType::err);
      } else if (fds[i].fd == m_channel.input_fd()) {
        read_channel();
      }
    }
    if (::waitpid(m_pid, &m_status, WNOHANG) == m_pid) {
      m_exited = true;
    }
  }

  // A cancel frame, or pipe going away, stops the step the way a timeout does.
  void read_channel() {
    m_channel.read_available();
    while (auto frame = m_channel.next()) {
      if (frame->type == FrameType::cancel) {
        begin_stop(false, now_ms());
      }
    }
    if (m_channel.closed()) {
      begin_stop(false, now_ms());
    }
  }

  bool read_some(int& fd, FrameType type) {
    if (fd < 0) {
      return false;
    }
    const ssize_t n = ::read(fd, m_buffer, sizeof m_buffer);
    if (n > 0) {
      if (!m_channel.send(type, std::string_view(m_buffer, static_cast<std::size_t>(n)))) {
        begin_stop(false, now_ms());
      }
      return true;
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      ::close(fd);
      fd = -1;
    }
    return n < 0 && errno == EINTR;
  }

  // After the leader exited all it wrote is in the pipes; a background child may hold the write
  // ends open forever, so what is there is read and the pipes are closed.
  void drain(int& fd, FrameType type) {
    while (read_some(fd, type)) {
    }
    if (fd >= 0) {
      ::close(fd);
      fd = -1;
    }
  }

  int m_pid;
  int m_out;
  int m_err;
  int m_pidfd = -1;
  const Request& m_request;
  Channel& m_channel;
  long long m_deadline = 0;
  long long m_kill_at = 0;
  bool m_stopped = false;
  bool m_timed_out = false;
  bool m_killed = false;
  bool m_exited = false;
  int m_status = 0;
  char m_buffer[65536];
};

}  // namespace

Exit run_step(const Request& request, Channel& channel) {
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    const std::string message = std::string("pipe-agent: cannot create a pipe: ") + std::strerror(errno) + "\n";
    channel.send(FrameType::err, message);
    return Exit{126, 0, false, false};
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    exec_child(request, out[1], err[1]);
  }
  ::close(out[1]);
  ::close(err[1]);
  if (pid < 0) {
    const std::string message = std::string("pipe-agent: cannot start a process: ") + std::strerror(errno) + "\n";
    ::close(out[0]);
    ::close(err[0]);
    channel.send(FrameType::err, message);
    return Exit{126, 0, false, false};
  }
  ::fcntl(out[0], F_SETFL, ::fcntl(out[0], F_GETFL) | O_NONBLOCK);
  ::fcntl(err[0], F_SETFL, ::fcntl(err[0], F_GETFL) | O_NONBLOCK);
  Supervisor supervisor(pid, out[0], err[0], request, channel);
  return supervisor.run();
}

}  // namespace pipeline::runner::agent
