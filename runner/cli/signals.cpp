// Signals of `pipe run` and `pipe hook run`: Ctrl-C, SIGTERM, a hangup and a closed standard
// output all cancel the run the same way, so cleanup steps run and nothing is left behind.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <iterator>
#include <thread>

#include "runner/cli/app.hpp"
#include "runner/engine/interruption.hpp"

namespace pipeline::runner::cli {
namespace {

// The write end of the watcher's self-pipe: a signal handler may only write(2) to it.
std::atomic<int> g_signal_fd{-1};
constexpr char k_quit = 0;
constexpr int k_cancelling_signals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void on_signal(int signal) {
  const int saved = errno;
  const int fd = g_signal_fd.load();
  if (fd >= 0) {
    const char byte = static_cast<char>(signal);
    (void)!::write(fd, &byte, 1);
  }
  errno = saved;
}

// A write to a closed standard output must fail with EPIPE instead of killing pipe, so the
// output guard can cancel the run. A handler rather than SIG_IGN: exec resets handlers, so
// steps still start with SIGPIPE's default action.
extern "C" void on_broken_pipe(int) {}

struct sigaction set_handler(int signal, void (*handler)(int)) {
  struct sigaction action {};
  action.sa_handler = handler;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  struct sigaction previous {};
  (void)::sigaction(signal, &action, &previous);
  return previous;
}

// A hangup ignored when pipe starts stays ignored: `nohup pipe run` must survive one. SIGINT
// and SIGTERM are always handled, as they were before hangups were: a run is never left without
// its Ctrl-C.
bool ignored(int signal) {
  struct sigaction current {};
  return signal == SIGHUP && ::sigaction(signal, nullptr, &current) == 0 && current.sa_handler == SIG_IGN;
}

/// Turns signals into the run's two cancel levels. The first of SIGINT, SIGTERM, SIGHUP or a
/// closed standard output cancels and names the exit code; a later SIGINT or SIGTERM stops at
/// once. A hangup never escalates: a closing terminal and its shell often both send one.
/// The watcher blocks in poll(2), so it wakes at once and costs nothing at exit.
class SignalWatcher {
public:
  explicit SignalWatcher(engine::Interruption& interruption) : m_interruption(interruption) {
    if (::pipe2(m_pipe, O_CLOEXEC) != 0) {
      m_pipe[0] = m_pipe[1] = -1;
      return;  // no signal handling rather than no run
    }
    m_output_signal = engine::closed_output_signal(STDOUT_FILENO);
    g_signal_fd = m_pipe[1];
    for (std::size_t i = 0; i < std::size(k_cancelling_signals); ++i) {
      m_handled[i] = !ignored(k_cancelling_signals[i]);
      if (m_handled[i]) {
        m_previous[i] = set_handler(k_cancelling_signals[i], on_signal);
      }
    }
    m_previous_pipe = set_handler(SIGPIPE, on_broken_pipe);
    m_thread = std::thread([this] { watch(); });
  }
  ~SignalWatcher() {
    if (m_thread.joinable()) {
      (void)!::write(m_pipe[1], &k_quit, 1);
      m_thread.join();
      for (std::size_t i = 0; i < std::size(k_cancelling_signals); ++i) {
        if (m_handled[i]) {
          (void)::sigaction(k_cancelling_signals[i], &m_previous[i], nullptr);
        }
      }
      (void)::sigaction(SIGPIPE, &m_previous_pipe, nullptr);
      g_signal_fd = -1;
    }
    for (int fd : m_pipe) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
  }
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

private:
  // Standard output is polled too: a pipe whose reader quit reports POLLERR at once, so a
  // quiet job is cancelled without waiting for its next line.
  void watch() {
    pollfd fds[2] = {{m_pipe[0], POLLIN, 0}, {STDOUT_FILENO, 0, 0}};
    while (true) {
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) {
          continue;
        }
        return;
      }
      if ((fds[1].revents & (POLLERR | POLLHUP)) != 0) {
        fds[1].fd = -1;
        received(m_output_signal);
      } else if ((fds[1].revents & POLLNVAL) != 0) {
        fds[1].fd = -1;
      }
      if (fds[0].revents == 0) {
        continue;
      }
      char byte = k_quit;
      const ssize_t n = ::read(m_pipe[0], &byte, 1);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0 || byte == k_quit) {
        return;
      }
      received(byte);
    }
  }

  void received(int signal) {
    if (m_interruption.interrupt(signal)) {
      m_interruption.announce(engine::interruption_message(signal));
      return;
    }
    if (signal == SIGINT || signal == SIGTERM) {
      m_interruption.hard().cancel();
    }
  }

  engine::Interruption& m_interruption;
  int m_pipe[2] = {-1, -1};
  int m_output_signal = SIGPIPE;
  bool m_handled[std::size(k_cancelling_signals)] = {};
  struct sigaction m_previous[std::size(k_cancelling_signals)] = {};
  struct sigaction m_previous_pipe {};
  std::thread m_thread;
};

}  // namespace

int run_interruptible(const std::function<int(engine::Interruption& interruption)>& body) {
  engine::Interruption interruption;
  SignalWatcher watcher(interruption);
  return body(interruption);
}

}  // namespace pipeline::runner::cli
