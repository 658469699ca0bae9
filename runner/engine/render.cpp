#include "runner/engine/render.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include <nlohmann/json.hpp>

namespace pipeline::runner::engine {
namespace {

using std::chrono::milliseconds;

// Result colors (green, red) are kept out of the job palette so a prefix never looks like one.
constexpr std::array<std::string_view, k_palette_size> k_palette{
    "\x1b[36m", "\x1b[35m", "\x1b[33m", "\x1b[34m", "\x1b[96m", "\x1b[95m"};
constexpr std::string_view k_reset = "\x1b[0m";
constexpr std::string_view k_green = "\x1b[32m";
constexpr std::string_view k_red = "\x1b[31m";
constexpr std::string_view k_yellow = "\x1b[33m";
constexpr std::string_view k_dim = "\x1b[2m";
constexpr std::string_view k_bold = "\x1b[1m";

std::string paint(std::string_view text, std::string_view color, ColorMode mode) {
  if (mode == ColorMode::plain || text.empty()) {
    return std::string(text);
  }
  return std::string(color) + std::string(text) + std::string(k_reset);
}

std::string_view result_color(NodeResult result) {
  switch (result) {
    case NodeResult::success: return k_green;
    case NodeResult::failure: return k_red;
    case NodeResult::cancelled: return k_yellow;
    case NodeResult::skipped: return k_dim;
  }
  return k_dim;
}

std::string_view result_mark(NodeResult result) {
  switch (result) {
    case NodeResult::success: return "✓";
    case NodeResult::failure: return "✗";
    case NodeResult::cancelled: return "⊘";
    case NodeResult::skipped: return "-";
  }
  return "?";
}

std::string_view job_verdict(NodeResult result) {
  switch (result) {
    case NodeResult::success: return "Job succeeded";
    case NodeResult::failure: return "Job failed";
    case NodeResult::cancelled: return "Job cancelled";
    case NodeResult::skipped: return "Job skipped";
  }
  return "Job ended";
}

// Output lines come from the line splitter; a stray CR or LF must not break the prefix layout.
std::string_view chomp(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

std::string finished_line(const Event& event, std::string_view what, ColorMode color) {
  std::string mark = paint(result_mark(event.result), result_color(event.result), color);
  std::string line = mark + " " + std::string(what);
  if (event.result == NodeResult::skipped || event.result == NodeResult::cancelled) {
    return line + " (" + std::string(to_string(event.result)) + ")";
  }
  return line + " (" + format_duration(event.duration) + ")";
}

// The text of an event without any job prefix; empty when the event shows nothing.
std::string event_body(const Event& event, ColorMode color) {
  switch (event.kind) {
    case EventKind::job_started: return "Job started";
    case EventKind::job_finished: return finished_line(event, job_verdict(event.result), color);
    case EventKind::step_started: return "▶ " + event.step;
    case EventKind::step_finished: return finished_line(event, event.step, color);
    case EventKind::output: return "  | " + std::string(chomp(event.text));
    case EventKind::annotation: {
      auto level_color = event.annotation.level == AnnotationLevel::error ? k_red : k_yellow;
      return paint(format_annotation(event.annotation), level_color, color);
    }
    case EventKind::group_start: return "▼ " + std::string(chomp(event.text));
    case EventKind::notice: return std::string(chomp(event.text));
    case EventKind::group_end:
    case EventKind::step_summary: return {};
  }
  return {};
}

bool shows_nothing(const Event& event) {
  return event.kind == EventKind::group_end || event.kind == EventKind::step_summary;
}

std::string two_digits(long long value) {
  std::array<char, 8> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%02lld", value);
  return buffer.data();
}

std::string pad_right(std::string text, std::size_t width) {
  // Display width, not bytes: the marks are multi-byte.
  std::size_t shown = 0;
  for (unsigned char c : text) {
    shown += (c & 0xC0) != 0x80 ? 1 : 0;
  }
  if (shown < width) {
    text.append(width - shown, ' ');
  }
  return text;
}

std::string summary_table(const RunSummary& summary, ColorMode color) {
  std::size_t width = 0;
  for (const auto& job : summary.jobs) {
    width = std::max(width, job.name.size());
  }
  std::string out = paint("Summary", k_bold, color) + "\n";
  for (const auto& job : summary.jobs) {
    std::string mark = paint(result_mark(job.result), result_color(job.result), color);
    std::string line = "  " + mark + " " + pad_right(job.name, width) + "  " +
                       pad_right(std::string(to_string(job.result)), 9);
    if (job.result != NodeResult::skipped) {
      line += "  " + format_duration(job.duration);
    }
    if (!job.environment.empty()) {
      line += "  " + job.environment + (job.environment_url.empty() ? "" : " " + job.environment_url);
    }
    while (!line.empty() && line.back() == ' ') {
      line.pop_back();
    }
    out += line + "\n";
  }
  return out;
}

std::string failed_steps_section(const RunSummary& summary, ColorMode color) {
  std::string out;
  for (const auto& job : summary.jobs) {
    for (const auto& step : job.failed_steps) {
      out += "\n" + paint(job.name + " › " + step.name + " (" + std::string(to_string(step.result)) + ")", k_red, color) +
             "\n";
      for (const auto& line : step.tail) {
        out += "    | " + line + "\n";
      }
    }
  }
  return out;
}

std::string annotations_section(const RunSummary& summary, ColorMode color) {
  std::string out;
  for (const auto& job : summary.jobs) {
    for (const auto& annotation : job.annotations) {
      auto level_color = annotation.level == AnnotationLevel::error ? k_red : k_yellow;
      out += "  " + job.name + ": " + paint(format_annotation(annotation), level_color, color) + "\n";
    }
  }
  return out.empty() ? out : "\n" + paint("Annotations", k_bold, color) + "\n" + out;
}

std::string step_summaries_section(const RunSummary& summary, ColorMode color) {
  std::string out;
  for (const auto& job : summary.jobs) {
    for (const auto& markdown : job.step_summaries) {
      out += "\n" + paint("Step summary: " + job.name, k_bold, color) + "\n" + markdown;
      if (!markdown.empty() && markdown.back() != '\n') {
        out += "\n";
      }
    }
  }
  return out;
}

std::string totals_line(const RunSummary& summary) {
  std::array<std::size_t, 4> counts{};
  for (const auto& job : summary.jobs) {
    ++counts[static_cast<std::size_t>(job.result)];
  }
  constexpr std::array<std::string_view, 4> k_words{"succeeded", "failed", "cancelled", "skipped"};
  std::string line;
  for (std::size_t i : {1U, 2U, 0U, 3U}) {
    if (counts[i] != 0) {
      line += (line.empty() ? "" : ", ") + std::to_string(counts[i]) + " " + std::string(k_words[i]);
    }
  }
  std::size_t total = summary.jobs.size();
  return std::to_string(total) + (total == 1 ? " job" : " jobs") + (line.empty() ? "" : ": " + line) + " in " +
         format_duration(summary.duration) + "\n";
}

}  // namespace

std::string format_duration(milliseconds duration) {
  long long ms = std::max<long long>(duration.count(), 0);
  if (ms < 1000) {
    return std::to_string(ms) + "ms";
  }
  if (ms < 60'000) {
    long long tenths = (ms + 50) / 100;
    if (tenths < 600) {
      return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "s";
    }
  }
  long long seconds = (ms + 500) / 1000;
  if (seconds < 3600) {
    return std::to_string(seconds / 60) + "m " + two_digits(seconds % 60) + "s";
  }
  return std::to_string(seconds / 3600) + "h " + two_digits((seconds % 3600) / 60) + "m";
}

std::string format_time(std::chrono::system_clock::time_point time) {
  auto since_epoch = std::chrono::duration_cast<milliseconds>(time.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(since_epoch / 1000);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  std::array<char, 96> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(since_epoch % 1000));
  return buffer.data();
}

std::string format_annotation(const Annotation& annotation) {
  std::string text(to_string(annotation.level));
  if (!annotation.file.empty()) {
    text += " " + annotation.file;
    if (annotation.line > 0) {
      text += ":" + std::to_string(annotation.line);
      if (annotation.column > 0) {
        text += ":" + std::to_string(annotation.column);
      }
    }
  }
  text += ": ";
  if (!annotation.title.empty()) {
    text += annotation.title + ": ";
  }
  return text + annotation.message;
}

std::size_t job_color(std::string_view job) {
  // FNV-1a: the same job gets the same color in every run.
  std::uint32_t hash = 2166136261U;
  for (unsigned char c : job) {
    hash = (hash ^ c) * 16777619U;
  }
  return hash % k_palette_size;
}

void append_prefixed_lines(std::string& out, std::string_view prefix, std::string_view text) {
  // Each line is copied with its '\n' in one piece: this loop is the hot path of a run.
  text = without_line_end(text);
  while (true) {
    const auto nl = text.find('\n');
    out.append(prefix);
    if (nl == std::string_view::npos) {
      out.append(text);
      out.push_back('\n');
      return;
    }
    out.append(text.data(), nl + 1);
    text.remove_prefix(nl + 1);
  }
}

std::string render_terminal(const Event& event, ColorMode color) {
  std::string out;
  append_terminal(out, event, color);
  return out;
}

void append_terminal(std::string& out, const Event& event, ColorMode color) {
  if (shows_nothing(event)) {
    return;
  }
  if (event.kind == EventKind::output && !event.job.empty()) {
    // The prefix is built once per batch of lines: output is the hot path of a run.
    const std::string prefix = paint("[" + event.job + "]", k_palette[job_color(event.job)], color) + "   | ";
    append_prefixed_lines(out, prefix, event.text);
    return;
  }
  std::string body = event_body(event, color);
  if (event.job.empty()) {
    out += body;
    out += '\n';
    return;
  }
  out += paint("[" + event.job + "]", k_palette[job_color(event.job)], color);
  out += ' ';
  out += body;
  out += '\n';
}

std::string render_json(const Event& event, std::int64_t log_offset) {
  if (event.kind == EventKind::output && event.text.find('\n') != std::string::npos) {
    // Copying the event per line would copy the whole batch per line.
    Event one;
    one.kind = event.kind;
    one.job = event.job;
    one.step = event.step;
    one.stream = event.stream;
    one.time = event.time;
    std::string out;
    for_each_line(event.text, [&](std::string_view line) {
      one.text = std::string(line);
      out += (out.empty() ? "" : "\n") + render_json(one);
    });
    return out;
  }
  nlohmann::json j;
  j["schema"] = k_event_schema;
  j["type"] = to_string(event.kind);
  j["time"] = format_time(event.time);
  if (!event.job.empty()) {
    j["job"] = event.job;
  }
  if (!event.step.empty()) {
    j["step"] = event.step;
  }
  if (event.kind == EventKind::output) {
    j["stream"] = event.stream == Stream::out ? "stdout" : "stderr";
  }
  // The kinds whose text is their content carry it even empty (docs/json-events.md promises it).
  const bool has_text = event.kind == EventKind::output || event.kind == EventKind::group_start ||
                        event.kind == EventKind::notice || event.kind == EventKind::step_summary;
  if (has_text || !event.text.empty()) {
    j["text"] = std::string(chomp(event.text));
  }
  if (event.kind == EventKind::job_finished || event.kind == EventKind::step_finished) {
    j["result"] = to_string(event.result);
    j["duration_ms"] = event.duration.count();
  }
  if (log_offset >= 0) {
    j["log_offset"] = log_offset;
  }
  if (!event.environment.empty()) {
    j["environment"] = {{"name", event.environment}, {"url", event.environment_url}};
  }
  if (event.kind == EventKind::annotation) {
    const auto& a = event.annotation;
    j["level"] = to_string(a.level);
    j["message"] = a.message;
    if (!a.file.empty()) {
      j["file"] = a.file;
    }
    if (a.line > 0) {
      j["line"] = a.line;
    }
    if (a.column > 0) {
      j["column"] = a.column;
    }
    if (!a.title.empty()) {
      j["title"] = a.title;
    }
  }
  // Step output is arbitrary bytes; invalid UTF-8 must not abort the run.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string render_log(const Event& event) {
  std::string out;
  append_log(out, event);
  return out;
}

void append_log(std::string& out, const Event& event) {
  if (event.kind == EventKind::step_summary) {
    return;
  }
  const std::string time = format_time(event.time);
  if (event.kind == EventKind::output) {
    append_prefixed_lines(out, time + " ", event.text);
    return;
  }
  out += time;
  out += event.kind == EventKind::group_end     ? std::string(" ##[endgroup]")
         : event.kind == EventKind::group_start ? " ##[group]" + std::string(chomp(event.text))
                                                : " " + event_body(event, ColorMode::plain);
  out += '\n';
}

std::string render_summary(const RunSummary& summary, ColorMode color) {
  return summary_table(summary, color) + failed_steps_section(summary, color) + annotations_section(summary, color) +
         step_summaries_section(summary, color) + "\n" + totals_line(summary);
}

std::string_view to_string(EventKind kind) {
  switch (kind) {
    case EventKind::job_started: return "job_started";
    case EventKind::job_finished: return "job_finished";
    case EventKind::step_started: return "step_started";
    case EventKind::step_finished: return "step_finished";
    case EventKind::output: return "output";
    case EventKind::annotation: return "annotation";
    case EventKind::group_start: return "group_start";
    case EventKind::group_end: return "group_end";
    case EventKind::notice: return "notice";
    case EventKind::step_summary: return "step_summary";
  }
  return "notice";
}

std::string_view to_string(AnnotationLevel level) {
  switch (level) {
    case AnnotationLevel::debug: return "debug";
    case AnnotationLevel::notice: return "notice";
    case AnnotationLevel::warning: return "warning";
    case AnnotationLevel::error: return "error";
  }
  return "error";
}

}  // namespace pipeline::runner::engine
