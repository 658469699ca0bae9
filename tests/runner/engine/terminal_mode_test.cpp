// The one decision of colors and the live view: flags, NO_COLOR, FORCE_COLOR, TERM, terminals.
#include <catch2/catch.hpp>

#include "runner/engine/terminal_mode.hpp"

using namespace pipeline::runner::engine;

namespace {

TerminalEnv tty(std::string no_color = {}, std::string force_color = {}, std::string term = "xterm-256color") {
  return TerminalEnv{true, std::move(no_color), std::move(force_color), std::move(term)};
}

TerminalEnv piped(std::string no_color = {}, std::string force_color = {}) {
  return TerminalEnv{false, std::move(no_color), std::move(force_color), "xterm-256color"};
}

}  // namespace

TEST_CASE("colors: flags win, then NO_COLOR, then FORCE_COLOR, then the terminal", "[color]") {
  using C = ColorChoice;
  CHECK(decide_color(C::automatic, tty()) == ColorMode::ansi);
  CHECK(decide_color(C::automatic, piped()) == ColorMode::plain);
  CHECK(decide_color(C::automatic, tty("1")) == ColorMode::plain);
  CHECK(decide_color(C::automatic, tty("", "", "dumb")) == ColorMode::plain);
  CHECK(decide_color(C::automatic, piped("", "1")) == ColorMode::ansi);
  CHECK(decide_color(C::automatic, piped("", "yes")) == ColorMode::ansi);
  CHECK(decide_color(C::automatic, piped("", "0")) == ColorMode::plain);
  CHECK(decide_color(C::automatic, piped("", "false")) == ColorMode::plain);
  CHECK(decide_color(C::automatic, piped("1", "1")) == ColorMode::plain);  // NO_COLOR wins
  CHECK(decide_color(C::always, piped("1")) == ColorMode::ansi);
  CHECK(decide_color(C::never, tty("", "1")) == ColorMode::plain);
}

TEST_CASE("CI logs: plain, even on a terminal, unless colors were asked for", "[color]") {
  using C = ColorChoice;
  CHECK(decide_ci_color(C::automatic, tty()) == ColorMode::plain);
  CHECK(decide_ci_color(C::automatic, piped()) == ColorMode::plain);
  CHECK(decide_ci_color(C::automatic, piped("", "1")) == ColorMode::ansi);
  CHECK(decide_ci_color(C::automatic, piped("1", "1")) == ColorMode::plain);  // NO_COLOR wins
  CHECK(decide_ci_color(C::always, piped()) == ColorMode::ansi);
  CHECK(decide_ci_color(C::never, piped("", "1")) == ColorMode::plain);
}

TEST_CASE("the live view: on a terminal unless plain was asked for", "[color][live]") {
  using P = ProgressChoice;
  using C = ColorChoice;
  CHECK(decide_live_view(P::automatic, C::automatic, tty()));
  CHECK_FALSE(decide_live_view(P::automatic, C::automatic, piped()));
  CHECK_FALSE(decide_live_view(P::automatic, C::automatic, tty("1")));
  CHECK_FALSE(decide_live_view(P::automatic, C::automatic, tty("", "", "dumb")));
  CHECK_FALSE(decide_live_view(P::automatic, C::never, tty()));
  CHECK_FALSE(decide_live_view(P::automatic, C::always, piped()));
  CHECK_FALSE(decide_live_view(P::plain, C::automatic, tty()));
  CHECK(decide_live_view(P::tty, C::automatic, piped()));
}

TEST_CASE("pipe run --color and --progress values", "[color]") {
  CHECK(*parse_color_choice("always") == ColorChoice::always);
  CHECK(*parse_progress_choice("plain") == ProgressChoice::plain);
  CHECK(parse_color_choice("yes").error().message == "color 'yes' is not auto, always or never");
  CHECK(parse_progress_choice("fancy").error().message == "progress 'fancy' is not auto, tty or plain");
}
