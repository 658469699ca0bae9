#pragma once
// The one place that decides whether the terminal gets colors and the live view.
#include <string>
#include <string_view>

#include "runner/engine/render.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::engine {

/// `--color` and the `color` config key.
enum class ColorChoice { automatic, always, never };

/// `--progress` and the `progress` config key: whether running jobs are drawn as live lines.
enum class ProgressChoice { automatic, tty, plain };

/// "auto", "always" or "never"; anything else is an error naming the accepted values.
[[nodiscard]] Result<ColorChoice> parse_color_choice(std::string_view text);

/// "auto", "tty" or "plain"; anything else is an error naming the accepted values.
[[nodiscard]] Result<ProgressChoice> parse_progress_choice(std::string_view text);

/// What the decisions read from the process's surroundings (a value, so tests build their own).
struct TerminalEnv {
  bool is_terminal = false;  // the output descriptor is a terminal
  std::string no_color;      // $NO_COLOR
  std::string force_color;   // $FORCE_COLOR
  std::string term;          // $TERM
};

/// The environment of this process for output descriptor `fd`.
[[nodiscard]] TerminalEnv read_terminal_env(int fd);

/// always/never win; otherwise a non-empty NO_COLOR turns colors off, a FORCE_COLOR that is
/// non-empty and not "0" or "false" turns them on, and else a terminal whose TERM is not "dumb"
/// gets them (https://no-color.org, https://force-color.org).
[[nodiscard]] ColorMode decide_color(ColorChoice choice, const TerminalEnv& env);

/// For CI logs: plain unless the user asked for colors (`always`, or FORCE_COLOR with `auto`);
/// `never` and NO_COLOR still win. A CI log is rarely a terminal, and most CI log viewers do render
/// the escapes.
[[nodiscard]] ColorMode decide_ci_color(ColorChoice choice, const TerminalEnv& env);

/// tty draws the live view and plain never does; auto draws it on a terminal whose TERM is not
/// "dumb", without NO_COLOR, unless `--color never` asked for plain bytes. (CI output styles and
/// `--json` never reach the live view: the caller picks their sinks first.)
[[nodiscard]] bool decide_live_view(ProgressChoice progress, ColorChoice color, const TerminalEnv& env);

/// decide_color(ColorChoice::automatic, read_terminal_env(fd)).
[[nodiscard]] ColorMode detect_color_mode(int fd);

}  // namespace pipeline::runner::engine
