#pragma once
// Pure rendering of run events and the final summary: values in, text out.
#include <string.h>  // memrchr

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runner/engine/event.hpp"

namespace pipeline::runner::engine {

/// Whether text gets ANSI colors (decided in terminal_mode.hpp).
enum class ColorMode { plain, ansi };

/// "850ms", "1.2s", "2m 03s", "1h 02m".
[[nodiscard]] std::string format_duration(std::chrono::milliseconds duration);

/// UTC ISO-8601 with milliseconds: "2026-11-22T02:31:21.123Z".
[[nodiscard]] std::string format_time(std::chrono::system_clock::time_point time);

/// "error src/a.c:12:3: title: message" (position and title only when known).
[[nodiscard]] std::string format_annotation(const Annotation& annotation);

/// A stable palette index (0..k_palette_size-1) for a job's prefix color.
[[nodiscard]] std::size_t job_color(std::string_view job);

/// How many colors job prefixes cycle through.
inline constexpr std::size_t k_palette_size = 6;

/// Whether a line splitter keeps or drops the '\r' of a CRLF line end.
enum class CarriageReturn { keep, drop };

/// `text` without its last line end (`\n`, `\r\n` or `\r`), if it has one.
[[nodiscard]] inline std::string_view without_line_end(std::string_view text) {
  if (!text.empty() && text.back() == '\n') {
    text.remove_suffix(1);
  }
  if (!text.empty() && text.back() == '\r') {
    text.remove_suffix(1);
  }
  return text;
}

/// Calls `fn` with each line of an output event's `text` (one event may carry several, each
/// ending in '\n'), without its '\n'; the last line end is optional, so an empty text is one
/// empty line, and empty lines before it are kept.
template <class Fn>
void for_each_line(std::string_view text, Fn fn, CarriageReturn carriage_return = CarriageReturn::keep) {
  text = without_line_end(text);
  while (true) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (carriage_return == CarriageReturn::drop && !line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    fn(line);
    if (nl == std::string_view::npos) {
      return;
    }
    text.remove_prefix(nl + 1);
  }
}

/// Calls `fn` with the last `count` lines for_each_line would give, oldest first, without
/// looking at the lines before them.
template <class Fn>
void for_each_last_line(std::string_view text, std::size_t count, Fn fn,
                        CarriageReturn carriage_return = CarriageReturn::keep) {
  if (count == 0) {
    return;
  }
  const std::string_view body = without_line_end(text);
  std::size_t end = body.size();  // the wanted lines start after a '\n' before `end`
  for (std::size_t seen = 0; seen < count; ++seen) {
    const void* nl_at = end == 0 ? nullptr : ::memrchr(body.data(), '\n', end);
    if (nl_at == nullptr) {
      for_each_line(text, fn, carriage_return);  // there are no more than `count` lines
      return;
    }
    end = static_cast<std::size_t>(static_cast<const char*>(nl_at) - body.data());
  }
  for_each_line(text.substr(end + 1), fn, carriage_return);
}

/// Appends the terminal text of an output event: each line behind `prefix`, ending in '\n'.
void append_prefixed_lines(std::string& out, std::string_view prefix, std::string_view text);

/// The terminal text for one event: whole lines ending in '\n', or nothing.
[[nodiscard]] std::string render_terminal(const Event& event, ColorMode color);

/// Appends render_terminal(event, color) to `out`; sinks reuse `out` for every event.
void append_terminal(std::string& out, const Event& event, ColorMode color);

/// The version of the JSON event schema (docs/json-events.md): every event carries it as "schema".
inline constexpr int k_event_schema = 1;

/// One JSON object (no newline) for `--json` mode; an output event of several lines is one
/// object per line. With a `log_offset` of 0 or more the object also carries it (the run
/// record's events.jsonl).
[[nodiscard]] std::string render_json(const Event& event, std::int64_t log_offset = -1);

/// The per-job log file text for one event (timestamped lines), or nothing.
[[nodiscard]] std::string render_log(const Event& event);

/// Appends render_log(event) to `out`; sinks reuse `out` for every event.
void append_log(std::string& out, const Event& event);

/// A step that ended badly, with the end of its output.
struct FailedStep {
  std::string name;
  NodeResult result = NodeResult::failure;
  std::vector<std::string> tail;  // last lines of its output, oldest first
};

/// One job as the final summary shows it.
struct JobSummary {
  std::string name;
  NodeResult result = NodeResult::success;
  std::chrono::milliseconds duration{0};
  std::vector<FailedStep> failed_steps;
  std::vector<Annotation> annotations;
  std::vector<std::string> step_summaries;  // markdown, printed raw
  std::string environment;                  // the deployment environment, if any
  std::string environment_url;              // its url, if any
};

/// Everything the final summary shows.
struct RunSummary {
  std::vector<JobSummary> jobs;
  std::chrono::milliseconds duration{0};
};

/// The summary printed when a run ends.
[[nodiscard]] std::string render_summary(const RunSummary& summary, ColorMode color);

}  // namespace pipeline::runner::engine
