#include "runner/engine/live_view.hpp"

#include <sys/ioctl.h>

#include <algorithm>
#include <array>
#include <cstdio>

#include "runner/engine/follow.hpp"
#include "runner/engine/text_width.hpp"

namespace pipeline::runner::engine {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr std::array<std::string_view, 10> k_spinner{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
constexpr std::string_view k_reset = "\x1b[0m";
constexpr std::string_view k_cyan = "\x1b[36m";
constexpr std::string_view k_dim = "\x1b[2m";
constexpr int k_unknown_columns = 80;

// Whole seconds: a live clock that ticks in tenths only flickers.
std::string elapsed_text(milliseconds elapsed) {
  const auto ms = std::max<long long>(elapsed.count(), 0);
  if (ms < 60'000) {
    return std::to_string(ms / 1000) + "s";
  }
  return format_duration(milliseconds((ms / 1000) * 1000));
}

std::string_view spinner_at(std::chrono::system_clock::time_point now) {
  const auto ticks = duration_cast<milliseconds>(now.time_since_epoch()).count() / 100;
  return k_spinner[static_cast<std::size_t>(ticks) % k_spinner.size()];
}

// How many rows a line of `width` columns, ended by '\n', takes once the terminal is `columns`
// wide: terminals that reflow on resize wrap a line drawn wider than they now are.
std::size_t rows_of(std::size_t width, int columns) {
  const auto cols = static_cast<std::size_t>(std::max(columns, 1));
  return std::max<std::size_t>(1, (width + cols - 1) / cols);
}

}  // namespace

TerminalSize terminal_size(int fd) {
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) != 0) {
    return {};
  }
  return {size.ws_col, size.ws_row};
}

LiveView::LiveView(std::ostream& out, LiveViewOptions options, SizeSource size, Clock clock, Interruption* interruption)
    : m_out(out),
      m_options(std::move(options)),
      m_size(std::move(size)),
      m_clock(std::move(clock)),
      m_interruption(interruption) {
  if (m_interruption != nullptr) {
    m_interruption->set_announcer([this](const char* message) { announce(message); });
  }
}

LiveView::~LiveView() {
  if (m_interruption != nullptr) {
    m_interruption->set_announcer({});
  }
}

void LiveView::announce(std::string_view message) {
  // Its leading newline moved past the "^C" the terminal echoed: the erase takes that away.
  while (!message.empty() && message.front() == '\n') {
    message.remove_prefix(1);
  }
  std::lock_guard lock(m_announce_mutex);
  if (m_finished) {
    std::fwrite(message.data(), 1, message.size(), stderr);
    std::fflush(stderr);
    return;
  }
  m_announcements += message;
}

std::string LiveView::take_announcements() {
  std::lock_guard lock(m_announce_mutex);
  std::string taken;
  taken.swap(m_announcements);
  return taken;
}

void LiveView::handle(const Event& event) {
  track(event);
  if (shown_when_following(m_options.follow, event)) {
    append_terminal(m_held, event, m_options.color);
  }
}

void LiveView::track(const Event& event) {
  const auto job = std::find_if(m_running.begin(), m_running.end(),
                                [&](const RunningJob& running) { return running.name == event.job; });
  switch (event.kind) {
    case EventKind::job_started:
      if (job == m_running.end() && !event.job.empty()) {
        m_running.push_back(RunningJob{event.job, {}, event.time});
      }
      break;
    case EventKind::step_started:
      if (job != m_running.end()) {
        job->step = event.step;
      }
      break;
    case EventKind::job_finished:
      if (job != m_running.end()) {
        m_running.erase(job);
      }
      break;
    case EventKind::step_finished:
    case EventKind::output:
    case EventKind::annotation:
    case EventKind::group_start:
    case EventKind::group_end:
    case EventKind::notice:
    case EventKind::step_summary: break;
  }
}

void LiveView::flush() {
  const auto now = m_clock();
  const bool due = now - m_last_frame >= m_options.frame_interval || m_held.size() >= k_max_held_text;
  const bool something = !m_held.empty() || !m_running.empty() || !m_drawn_widths.empty();
  if (due && something) {
    write_frame(now, true);
  }
}

void LiveView::finish() {
  {
    std::lock_guard lock(m_announce_mutex);
    m_finished = true;
  }
  if (!m_held.empty() || !m_drawn_widths.empty() || !m_announcements.empty()) {
    write_frame(m_clock(), false);
  }
}

// One write per frame: the old live lines erased, the output held back since, the new live
// lines. A terminal never shows a half-drawn frame, and the cursor ends below the live lines.
void LiveView::write_frame(std::chrono::system_clock::time_point now, bool with_live_lines) {
  const TerminalSize size = m_size();
  const int columns = size.columns > 0 ? size.columns : k_unknown_columns;
  m_frame.clear();
  append_erase(columns);
  if (const std::string announcements = take_announcements(); !announcements.empty()) {
    // stderr is another stream to the same terminal: the erase goes out first, and the
    // message comes before the output it caused (cancelled steps).
    m_out.write(m_frame.data(), static_cast<std::streamsize>(m_frame.size()));
    m_out.flush();
    m_frame.clear();
    std::fwrite(announcements.data(), 1, announcements.size(), stderr);
    std::fflush(stderr);
  }
  m_frame += m_held;
  m_held.clear();
  if (with_live_lines) {
    append_live_lines(now, TerminalSize{columns, size.rows});
  }
  m_out.write(m_frame.data(), static_cast<std::streamsize>(m_frame.size()));
  m_out.flush();
  m_last_frame = now;
}

void LiveView::append_erase(int columns) {
  std::size_t rows = 0;
  for (const std::size_t width : m_drawn_widths) {
    rows += rows_of(width, columns);
  }
  m_drawn_widths.clear();
  if (rows > 0) {
    m_frame += "\r\x1b[" + std::to_string(rows) + "A\x1b[J";
  }
}

void LiveView::append_live_lines(std::chrono::system_clock::time_point now, TerminalSize size) {
  if (m_running.empty()) {
    return;
  }
  // At most half the screen: the output above must stay readable, and a live area taller than
  // the screen could not be erased.
  std::size_t height = std::max<std::size_t>(1, m_options.max_lines);
  if (size.rows > 0) {
    height = std::min(height, std::max<std::size_t>(1, static_cast<std::size_t>(size.rows) / 2));
  }
  const std::size_t shown = m_running.size() <= height ? m_running.size() : height - 1;
  if (m_options.color == ColorMode::ansi) {
    m_frame += k_reset;  // an attribute a step's output left on must not paint the live lines
  }
  const std::string_view spinner = spinner_at(now);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& job = m_running[i];
    const std::string text = job.name + " › " + (job.step.empty() ? std::string("starting") : job.step);
    append_live_line(text, spinner, elapsed_text(duration_cast<milliseconds>(now - job.started)), size.columns);
  }
  if (shown < m_running.size()) {
    append_live_line("+" + std::to_string(m_running.size() - shown) + " more running", " ", "", size.columns);
  }
}

// Never wider than the screen less one column: a line that reached the last column would leave
// the cursor in the terminal's pending-wrap state, and a wrapped line breaks the erase count.
void LiveView::append_live_line(const std::string& text, std::string_view spinner, std::string_view suffix,
                                int columns) {
  const std::size_t room = columns > 1 ? static_cast<std::size_t>(columns - 1) : 0;
  const std::size_t suffix_width = suffix.empty() ? 0 : suffix.size() + 2;  // "  12s": ASCII
  std::string body;
  std::size_t width = 0;
  if (room >= 2 + suffix_width + 4) {
    body = truncate_to_width(text, room - 2 - suffix_width);
    width = 2 + display_width(body) + suffix_width;
  } else if (room >= 3) {
    body = truncate_to_width(text, room - 2);
    suffix = {};
    width = 2 + display_width(body);
  } else {
    spinner = {};
    suffix = {};
  }
  const bool ansi = m_options.color == ColorMode::ansi;
  if (!spinner.empty()) {
    m_frame += ansi ? std::string(k_cyan) + std::string(spinner) + std::string(k_reset) : std::string(spinner);
    m_frame += ' ';
  }
  m_frame += body;
  if (!suffix.empty()) {
    m_frame += "  ";
    m_frame += ansi ? std::string(k_dim) + std::string(suffix) + std::string(k_reset) : std::string(suffix);
  }
  m_frame += '\n';
  m_drawn_widths.push_back(width);
}

}  // namespace pipeline::runner::engine
