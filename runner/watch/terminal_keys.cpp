#include "runner/watch/terminal_keys.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>

namespace pipeline::runner::watch {
namespace {

// What the handlers need, set before they are installed: only async-signal-safe calls
// (tcsetattr, tcgetpgrp, sigaction, raise) touch them.
std::atomic<int> g_fd{-1};
termios g_saved{};
termios g_keys{};
struct sigaction g_previous_stop {};
struct sigaction g_previous_continue {};

void set_handler(int signal, void (*handler)(int), struct sigaction* previous) {
  struct sigaction action {};
  action.sa_handler = handler;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  (void)::sigaction(signal, &action, previous);
}

// Ctrl-Z: the shell gets its terminal back as it was, then the stop happens as it would have
// (SIGTSTP is blocked inside this handler, so the raised one lands when it returns).
extern "C" void on_stop(int) {
  const int saved_errno = errno;
  const int fd = g_fd.load();
  if (fd >= 0) {
    (void)::tcsetattr(fd, TCSANOW, &g_saved);
  }
  struct sigaction fallback {};
  fallback.sa_handler = SIG_DFL;
  sigemptyset(&fallback.sa_mask);
  (void)::sigaction(SIGTSTP, &fallback, nullptr);
  (void)::raise(SIGTSTP);
  errno = saved_errno;
}

// `fg`: keys again, and the next Ctrl-Z handled again. Continued in the background (`bg`) the
// terminal is left alone: changing it would stop pipe once more (SIGTTOU).
extern "C" void on_continue(int) {
  const int saved_errno = errno;
  set_handler(SIGTSTP, on_stop, nullptr);
  const int fd = g_fd.load();
  if (fd >= 0 && ::tcgetpgrp(fd) == ::getpgrp()) {
    (void)::tcsetattr(fd, TCSANOW, &g_keys);
  }
  errno = saved_errno;
}

}  // namespace

TerminalKeys::TerminalKeys(int fd) {
  // Only the foreground process may change the terminal or read it; in the background pipe
  // watches without keys (Ctrl-C or a signal still ends it).
  if (::isatty(fd) != 1 || ::tcgetpgrp(fd) != ::getpgrp() || ::tcgetattr(fd, &g_saved) != 0) {
    return;
  }
  g_keys = g_saved;
  g_keys.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);  // ISIG stays: Ctrl-C is still SIGINT
  g_keys.c_cc[VMIN] = 1;
  g_keys.c_cc[VTIME] = 0;
  g_fd = fd;
  set_handler(SIGTSTP, on_stop, &g_previous_stop);
  set_handler(SIGCONT, on_continue, &g_previous_continue);
  if (::tcsetattr(fd, TCSANOW, &g_keys) != 0) {
    return;
  }
  m_fd = fd;
}

TerminalKeys::~TerminalKeys() {
  const int fd = g_fd.exchange(-1);
  if (fd < 0) {
    return;
  }
  (void)::sigaction(SIGTSTP, &g_previous_stop, nullptr);
  (void)::sigaction(SIGCONT, &g_previous_continue, nullptr);
  (void)::tcsetattr(fd, TCSANOW, &g_saved);
}

bool TerminalKeys::quit_pressed() {
  if (m_fd < 0) {
    return false;
  }
  // Non-canonical mode with VMIN 1: one read returns what is typed so far without waiting for
  // more, and poll said it is there.
  char keys[64];
  const ssize_t n = ::read(m_fd, keys, sizeof keys);
  if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
    m_fd = -1;  // end of input, or a terminal gone: no more keys, watching goes on
    return false;
  }
  for (ssize_t i = 0; i < n; ++i) {
    if (keys[i] == 'q' || keys[i] == 'Q') {
      return true;
    }
  }
  return false;
}

}  // namespace pipeline::runner::watch
