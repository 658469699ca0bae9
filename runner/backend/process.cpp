// posix_spawn rather than Boost.Process 1.74: we need setsid in the child (POSIX_SPAWN_SETSID),
// a pidfd to notice the exit of the leader while a background grandchild still holds the pipes,
// and one poll() over both pipes, the pidfd and the deadline. Boost.Process 1.74 offers none of
// these without an Asio loop, and glibc's vfork-based spawn is cheaper than fork+exec.
#include "runner/backend/process.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <array>
#include <vector>

namespace pipeline::runner {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Used when the step's environment has no PATH at all, like execvp does.
constexpr const char* k_default_path = "/usr/local/bin:/usr/bin:/bin";
// How often a cancel token is looked at: it has no file descriptor to poll.
constexpr milliseconds k_cancel_tick{20};
// Without a pidfd (old kernels) the exit of the leader is noticed by this tick.
constexpr milliseconds k_wait_tick{5};
// A pipe this large lets a chatty step write on while pipe works through the last read: a
// quarter of the reads and wake-ups per megabyte of the 64 KiB default. Larger pipes gained no
// more, and every user's pipes share a budget (fs/pipe-user-pages-soft, 64 MiB by default)
// that parallel steps must not eat.
constexpr int k_pipe_size = 256 * 1024;
constexpr std::size_t k_read_size = 256 * 1024;

std::string errno_text(int error) { return std::strerror(error); }

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string env_path(const ExecSpec& spec) {
  for (const auto& [name, value] : spec.env) {
    if (name == "PATH") {
      return value;
    }
  }
  return k_default_path;
}

/// A file descriptor closed when it goes out of scope.
class Fd {
public:
  Fd() = default;
  explicit Fd(int fd) : m_fd(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  [[nodiscard]] int get() const { return m_fd; }
  [[nodiscard]] bool open() const { return m_fd >= 0; }
  void reset(int fd = -1) {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
    m_fd = fd;
  }

private:
  int m_fd = -1;
};

struct Pipe {
  Fd read;
  Fd write;
};

Result<void> make_pipe(Pipe& p) {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
    return Error{"cannot create a pipe: " + errno_text(errno)};
  }
  p.read.reset(fds[0]);
  p.write.reset(fds[1]);
  ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  ::fcntl(fds[0], F_SETPIPE_SZ, k_pipe_size);  // best effort: the default size still works
  return {};
}

/// The C arrays posix_spawn wants, owning their strings.
struct CStrings {
  std::vector<std::string> owned;
  std::vector<char*> pointers;
  void finish() {
    for (auto& s : owned) {
      pointers.push_back(s.data());
    }
    pointers.push_back(nullptr);
  }
};

CStrings make_envp(const ExecSpec& spec) {
  CStrings envp;
  envp.owned.reserve(spec.env.size());
  for (const auto& [name, value] : spec.env) {
    envp.owned.push_back(name + "=" + value);
  }
  envp.finish();
  return envp;
}

CStrings make_argv(const ExecSpec& spec) {
  CStrings argv;
  argv.owned = spec.argv;
  argv.finish();
  return argv;
}

/// Spawn attributes: a new session (so the group can be killed) and default signal handling.
class SpawnAttributes {
public:
  explicit SpawnAttributes(const Pipe& out, const Pipe& err, const std::string& cwd) {
    posix_spawnattr_init(&m_attr);
    sigset_t none;
    sigemptyset(&none);
    sigset_t all;
    sigfillset(&all);
    posix_spawnattr_setsigmask(&m_attr, &none);
    posix_spawnattr_setsigdefault(&m_attr, &all);
    posix_spawnattr_setflags(&m_attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawn_file_actions_init(&m_actions);
    posix_spawn_file_actions_addopen(&m_actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&m_actions, out.write.get(), 1);
    posix_spawn_file_actions_adddup2(&m_actions, err.write.get(), 2);
    if (!cwd.empty()) {
      posix_spawn_file_actions_addchdir_np(&m_actions, cwd.c_str());
    }
  }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  ~SpawnAttributes() {
    posix_spawn_file_actions_destroy(&m_actions);
    posix_spawnattr_destroy(&m_attr);
  }
  [[nodiscard]] const posix_spawn_file_actions_t* actions() const { return &m_actions; }
  [[nodiscard]] const posix_spawnattr_t* attr() const { return &m_attr; }

private:
  posix_spawnattr_t m_attr{};
  posix_spawn_file_actions_t m_actions{};
};

int decode_wait_status(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return 1;
}

enum class StopReason { none, timed_out, cancelled };

/// The poll loop of one spawned process: reads both pipes until the leader exits, enforcing
/// the deadline and the cancel token.
class Supervisor {
public:
  Supervisor(int pid, const ExecSpec& spec, OutputSink& sink, Pipe& out, Pipe& err)
      : m_pid(pid), m_spec(spec), m_sink(sink), m_out(out.read), m_err(err.read) {
    m_pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (spec.timeout.count() > 0) {
      m_deadline = Clock::now() + spec.timeout;
    }
  }

  ExitStatus run() {
    while (!m_exited) {
      check_stop();
      poll_once();
    }
    drain(m_out, Stream::out);
    drain(m_err, Stream::err);
    if (m_stop != StopReason::none) {
      // Members of the group that outlived the leader must not survive a timeout or a cancel.
      ::kill(-m_pid, SIGKILL);
    }
    return ExitStatus{decode_wait_status(m_status), m_stop == StopReason::timed_out,
                      m_stop == StopReason::cancelled};
  }

  /// Kills and reaps the process when reading was abandoned (an exception from the sink).
  void abandon() {
    if (!m_exited) {
      ::kill(-m_pid, SIGKILL);
      ::waitpid(m_pid, &m_status, 0);
      m_exited = true;
    }
  }

private:
  void check_stop() {
    auto now = Clock::now();
    if (m_stop == StopReason::none) {
      if (m_spec.cancel != nullptr && m_spec.cancel->cancelled()) {
        begin_stop(StopReason::cancelled, now);
      } else if (m_deadline && now >= *m_deadline) {
        begin_stop(StopReason::timed_out, now);
      }
    } else if (!m_killed && now >= m_kill_at) {
      ::kill(-m_pid, SIGKILL);
      m_killed = true;
    }
  }

  void begin_stop(StopReason reason, Clock::time_point now) {
    m_stop = reason;
    ::kill(-m_pid, SIGTERM);
    m_kill_at = now + k_kill_grace;
  }

  int poll_timeout_ms() const {
    auto now = Clock::now();
    auto wait = milliseconds::max();
    auto until = [&](Clock::time_point t) {
      wait = std::min(wait, std::chrono::duration_cast<milliseconds>(t - now) + milliseconds(1));
    };
    if (m_stop == StopReason::none) {
      if (m_deadline) {
        until(*m_deadline);
      }
      if (m_spec.cancel != nullptr) {
        wait = std::min(wait, k_cancel_tick);
      }
    } else if (!m_killed) {
      until(m_kill_at);
    }
    if (!m_pidfd.open()) {
      wait = std::min(wait, k_wait_tick);
    }
    if (wait == milliseconds::max()) {
      return -1;
    }
    return static_cast<int>(std::max(wait, milliseconds(0)).count());
  }

  void poll_once() {
    std::array<pollfd, 3> fds{};
    nfds_t count = 0;
    for (int fd : {m_out.get(), m_err.get(), m_pidfd.get()}) {
      if (fd >= 0) {
        fds[count++] = pollfd{fd, POLLIN, 0};
      }
    }
    int ready = ::poll(fds.data(), count, poll_timeout_ms());
    if (ready < 0 && errno != EINTR) {
      abandon();
      return;
    }
    for (nfds_t i = 0; i < count && ready > 0; ++i) {
      if (fds[i].revents == 0) {
        continue;
      }
      if (fds[i].fd == m_out.get()) {
        read_some(m_out, Stream::out);
      } else if (fds[i].fd == m_err.get()) {
        read_some(m_err, Stream::err);
      }
    }
    reap_if_exited();
  }

  void reap_if_exited() {
    if (::waitpid(m_pid, &m_status, WNOHANG) == m_pid) {
      m_exited = true;
    }
  }

  // Returns false when nothing more is there right now.
  bool read_some(Fd& fd, Stream stream) {
    if (!fd.open()) {
      return false;
    }
    ssize_t n = ::read(fd.get(), m_buffer.data(), m_buffer.size());
    if (n > 0) {
      m_sink.write(stream, std::string_view(m_buffer.data(), static_cast<std::size_t>(n)));
      return true;
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      fd.reset();
    }
    return n < 0 && errno == EINTR;
  }

  // After the leader exited everything it wrote is in the pipe; a background child may keep the
  // write end open forever, so read what is there and stop.
  void drain(Fd& fd, Stream stream) {
    while (read_some(fd, stream)) {
    }
    fd.reset();
  }

  int m_pid;
  const ExecSpec& m_spec;
  OutputSink& m_sink;
  Fd& m_out;
  Fd& m_err;
  Fd m_pidfd;
  std::vector<char> m_buffer = std::vector<char>(k_read_size);
  std::optional<Clock::time_point> m_deadline;
  StopReason m_stop = StopReason::none;
  Clock::time_point m_kill_at{};
  bool m_killed = false;
  bool m_exited = false;
  int m_status = 0;
};

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::optional<std::string> find_program(const std::string& program, const std::string& path) {
  if (program.find('/') != std::string::npos) {
    return program;
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) {
      end = path.size();
    }
    std::string dir = path.substr(start, end - start);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + program;
    if (is_executable_file(candidate)) {
      return candidate;
    }
    start = end + 1;
  }
  return std::nullopt;
}

Result<ExitStatus> run_process(const ExecSpec& spec, OutputSink& sink, SpawnObserver* observer) {
  if (spec.argv.empty()) {
    return Error{"cannot run an empty command"};
  }
  auto program = find_program(spec.argv.front(), env_path(spec));
  if (!program) {
    return Error{spec.argv.front() + ": command not found"};
  }
  if (!spec.cwd.empty() && !is_directory(spec.cwd)) {
    return Error{"working directory '" + spec.cwd + "' does not exist"};
  }
  Pipe out;
  Pipe err;
  if (auto made = make_pipe(out); !made) {
    return made.error();
  }
  if (auto made = make_pipe(err); !made) {
    return made.error();
  }
  CStrings argv = make_argv(spec);
  CStrings envp = make_envp(spec);
  SpawnAttributes attributes(out, err, spec.cwd);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, program->c_str(), attributes.actions(), attributes.attr(),
                         argv.pointers.data(), envp.pointers.data());
  out.write.reset();
  err.write.reset();
  if (rc != 0) {
    return Error{"cannot run '" + *program + "': " + errno_text(rc)};
  }
  if (observer != nullptr) {
    observer->spawned(pid);
  }
  Supervisor supervisor(pid, spec, sink, out, err);
  try {
    return supervisor.run();
  } catch (...) {
    supervisor.abandon();
    throw;
  }
}

void kill_process_group(int pgid, std::chrono::milliseconds grace) {
  if (pgid <= 0 || ::kill(-pgid, SIGTERM) != 0) {
    return;
  }
  auto until = Clock::now() + grace;
  while (Clock::now() < until) {
    if (::kill(-pgid, 0) != 0) {
      return;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  ::kill(-pgid, SIGKILL);
}

}  // namespace pipeline::runner
