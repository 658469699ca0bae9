#include "runner/secrets/prompt.hpp"

#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>

namespace pipeline::runner::secrets {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_prompt_interrupt(int /*signal*/) { g_interrupted = 1; }

// Ctrl-C while pipe waits for a secret ends pipe, as it would any other program reading a line.
// pipe's own handler (which only asks a run to cancel) must not swallow it here: nothing has
// started yet, and the user would be left at a prompt that cannot be left.
class PromptInterrupt {
public:
  PromptInterrupt() {
    g_interrupted = 0;
    struct sigaction action {};
    action.sa_handler = on_prompt_interrupt;
    sigemptyset(&action.sa_mask);
    (void)sigaction(SIGINT, &action, &m_previous);
  }
  ~PromptInterrupt() { (void)sigaction(SIGINT, &m_previous, nullptr); }
  PromptInterrupt(const PromptInterrupt&) = delete;
  PromptInterrupt& operator=(const PromptInterrupt&) = delete;

  [[nodiscard]] static bool pressed() { return g_interrupted != 0; }

private:
  struct sigaction m_previous {};
};

// One line from the terminal; false at end of input or on Ctrl-C. The signal may reach
// another thread than this one, so the wait wakes now and then to look at the flag rather
// than rely on read() failing with EINTR.
bool read_line(std::string& line) {
  constexpr int k_check_ms = 100;
  while (!PromptInterrupt::pressed()) {
    pollfd pfd{STDIN_FILENO, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, k_check_ms);
    if (ready < 0 && errno != EINTR) {
      return false;
    }
    if (ready <= 0) {
      continue;
    }
    char c = 0;
    const ssize_t n = ::read(STDIN_FILENO, &c, 1);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return !line.empty();
    }
    if (c == '\n') {
      return true;
    }
    line += c;
  }
  return false;
}

// Dies of SIGINT, as an interrupted program does, so the shell sees it (status 130).
[[noreturn]] void die_interrupted() {
  std::fputc('\n', stderr);
  std::fflush(stderr);
  std::signal(SIGINT, SIG_DFL);
  std::raise(SIGINT);
  std::_Exit(130);
}

}  // namespace

bool can_prompt() {
  return isatty(STDIN_FILENO) == 1;
}

Result<std::string> prompt_secret(const std::string& label) {
  termios saved{};
  if (tcgetattr(STDIN_FILENO, &saved) != 0) {
    return Error{"cannot read " + label + ": standard input is not a terminal"};
  }
  std::string value;
  bool got = false;
  {
    const PromptInterrupt interrupt;
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    (void)tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    // The prompt only once echo is off: what is typed as soon as it shows is never echoed.
    std::fprintf(stderr, "%s: ", label.c_str());
    std::fflush(stderr);
    got = read_line(value);
    // Echo comes back whatever happened, or the user's shell stays silent.
    (void)tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    if (PromptInterrupt::pressed()) {
      die_interrupted();
    }
  }
  if (!got) {
    return Error{"cannot read " + label + ": end of input"};
  }
  return value;
}

}  // namespace pipeline::runner::secrets
