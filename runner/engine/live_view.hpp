#pragma once
// The live view of a run on a terminal: step output scrolls as TerminalSink prints it, and
// under it one line per running job (its current step, elapsed time, a spinner) is redrawn in
// place. Finished jobs' result lines scroll above it; when the run ends the live lines go.
#include <chrono>
#include <functional>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "runner/engine/interruption.hpp"
#include "runner/engine/reporter.hpp"

namespace pipeline::runner::engine {

/// A terminal's size in character cells; zero when unknown.
struct TerminalSize {
  int columns = 0;
  int rows = 0;
};

/// The size of the terminal on `fd` (TIOCGWINSZ), or zeros when it is no terminal.
[[nodiscard]] TerminalSize terminal_size(int fd);

/// How the live view looks and how often it draws.
struct LiveViewOptions {
  ColorMode color = ColorMode::ansi;
  std::string follow;                             // `--follow`: only this job's output scrolls
  std::chrono::milliseconds frame_interval{100};  // at most 10 frames a second
  std::size_t max_lines = 10;                     // the live area's height, "+N more" included
};

/// An EventSink drawing the live view, one write per frame.
class LiveView final : public EventSink {
public:
  /// Asked before every frame: a resize (SIGWINCH) shows in the next one.
  using SizeSource = std::function<TerminalSize()>;
  /// The time the spinner and elapsed times follow.
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  /// Held-back output is written at once past this size, whatever the frame rate.
  static constexpr std::size_t k_max_held_text = 256 * 1024;

  /// With an `interruption`, its announcements (Ctrl-C's message) go to stderr between two
  /// frames while the view lives: a line written into the live area would stay on the screen.
  LiveView(std::ostream& out, LiveViewOptions options, SizeSource size, Clock clock,
           Interruption* interruption = nullptr);
  LiveView(const LiveView&) = delete;
  LiveView& operator=(const LiveView&) = delete;
  ~LiveView() override;
  /// Queues `message` for stderr, printed after the next frame's erase (any thread).
  void announce(std::string_view message);
  void handle(const Event& event) override;
  /// Writes a frame when one is due: the frame interval passed, or much output is held back.
  void flush() override;
  /// Erases the live lines and writes what is held back: the screen ends with results only.
  void finish() override;
  [[nodiscard]] std::chrono::milliseconds refresh_interval() const override { return m_options.frame_interval; }

private:
  struct RunningJob {
    std::string name;
    std::string step;
    std::chrono::system_clock::time_point started;
  };

  void track(const Event& event);
  [[nodiscard]] std::string take_announcements();
  void write_frame(std::chrono::system_clock::time_point now, bool with_live_lines);
  void append_erase(int columns);
  void append_live_lines(std::chrono::system_clock::time_point now, TerminalSize size);
  void append_live_line(const std::string& text, std::string_view spinner, std::string_view suffix, int columns);

  std::ostream& m_out;
  LiveViewOptions m_options;
  SizeSource m_size;
  Clock m_clock;
  std::vector<RunningJob> m_running;        // first started first
  std::string m_held;                       // scrolling text not yet written
  std::string m_frame;                      // reused for every frame
  std::vector<std::size_t> m_drawn_widths;  // the live lines on screen, in columns
  std::chrono::system_clock::time_point m_last_frame{};
  Interruption* m_interruption;
  std::mutex m_announce_mutex;
  std::string m_announcements;  // for stderr, at the next frame
  bool m_finished = false;       // no more frames: announcements go to stderr at once
};

}  // namespace pipeline::runner::engine
