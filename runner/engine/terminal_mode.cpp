#include "runner/engine/terminal_mode.hpp"

#include <unistd.h>

#include <cstdlib>

namespace pipeline::runner::engine {
namespace {

std::string env_text(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

bool dumb(const TerminalEnv& env) { return env.term == "dumb"; }

// force-color.org: any non-empty value forces; "0" and "false" are read as the user's "no", as
// the widespread supports-color convention does.
bool forced(const TerminalEnv& env) {
  return !env.force_color.empty() && env.force_color != "0" && env.force_color != "false";
}

}  // namespace

Result<ColorChoice> parse_color_choice(std::string_view text) {
  if (text == "auto") {
    return ColorChoice::automatic;
  }
  if (text == "always") {
    return ColorChoice::always;
  }
  if (text == "never") {
    return ColorChoice::never;
  }
  return Error{"color '" + std::string(text) + "' is not auto, always or never"};
}

Result<ProgressChoice> parse_progress_choice(std::string_view text) {
  if (text == "auto") {
    return ProgressChoice::automatic;
  }
  if (text == "tty") {
    return ProgressChoice::tty;
  }
  if (text == "plain") {
    return ProgressChoice::plain;
  }
  return Error{"progress '" + std::string(text) + "' is not auto, tty or plain"};
}

TerminalEnv read_terminal_env(int fd) {
  return TerminalEnv{::isatty(fd) == 1, env_text("NO_COLOR"), env_text("FORCE_COLOR"), env_text("TERM")};
}

ColorMode decide_color(ColorChoice choice, const TerminalEnv& env) {
  switch (choice) {
    case ColorChoice::always: return ColorMode::ansi;
    case ColorChoice::never: return ColorMode::plain;
    case ColorChoice::automatic: break;
  }
  if (!env.no_color.empty()) {
    return ColorMode::plain;
  }
  if (forced(env)) {
    return ColorMode::ansi;
  }
  return env.is_terminal && !dumb(env) ? ColorMode::ansi : ColorMode::plain;
}

ColorMode decide_ci_color(ColorChoice choice, const TerminalEnv& env) {
  if (choice == ColorChoice::automatic && !forced(env)) {
    return ColorMode::plain;
  }
  return decide_color(choice, env);
}

bool decide_live_view(ProgressChoice progress, ColorChoice color, const TerminalEnv& env) {
  switch (progress) {
    case ProgressChoice::tty: return true;
    case ProgressChoice::plain: return false;
    case ProgressChoice::automatic: break;
  }
  return env.is_terminal && !dumb(env) && env.no_color.empty() && color != ColorChoice::never;
}

ColorMode detect_color_mode(int fd) { return decide_color(ColorChoice::automatic, read_terminal_env(fd)); }

}  // namespace pipeline::runner::engine
