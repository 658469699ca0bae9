#include "runner/secrets/prompt.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace pipeline::runner::secrets {

bool can_prompt() {
  return isatty(STDIN_FILENO) == 1;
}

Result<std::string> prompt_secret(const std::string& label) {
  termios saved{};
  if (tcgetattr(STDIN_FILENO, &saved) != 0) {
    return Error{"cannot read " + label + ": standard input is not a terminal"};
  }
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= ECHONL;
  (void)tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  // The prompt only once echo is off: what is typed as soon as it shows is never echoed.
  std::fprintf(stderr, "%s: ", label.c_str());
  std::fflush(stderr);
  std::string value;
  const bool got = static_cast<bool>(std::getline(std::cin, value));
  // Echo comes back whatever happened, or the user's shell stays silent.
  (void)tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  if (!got) {
    return Error{"cannot read " + label + ": end of input"};
  }
  return value;
}

}  // namespace pipeline::runner::secrets
