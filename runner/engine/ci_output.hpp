#pragma once
// Terminal output for CI systems and git hooks: timestamped plain lines, GitHub Actions'
// own groups and annotations, and the short form a hook prints.
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "runner/engine/reporter.hpp"

namespace pipeline::runner::engine {

/// Plain lines (no colors, no cursor movement), each starting with its UTC time (`--ci`).
class CiTerminalSink final : public EventSink {
public:
  explicit CiTerminalSink(std::ostream& out, ColorMode color = ColorMode::plain) : m_out(out), m_color(color) {}
  void handle(const Event& event) override;
  void flush() override { m_out.flush(); }

private:
  std::ostream& m_out;
  ColorMode m_color;
  std::string m_lines;  // reused for every event: output batches are large
  std::string m_text;
};

/// GitHub Actions' log: each job's lines in one `::group::`, annotations re-emitted as
/// `::error`/`::warning`/`::notice` commands. One job streams live; jobs running beside it are
/// buffered and printed whole when the group before them closes, so groups never interleave.
class GitHubActionsSink final : public EventSink {
public:
  explicit GitHubActionsSink(std::ostream& out, ColorMode color = ColorMode::plain) : m_out(out), m_color(color) {}
  void handle(const Event& event) override;
  void flush() override { m_out.flush(); }
  /// Prints what is still buffered (jobs that never finished).
  void finish() override;

private:
  void open_group(const std::string& job);
  void close_group();
  void drain();

  std::ostream& m_out;
  ColorMode m_color;
  std::string m_live;                                   // the job whose group is open
  std::vector<std::string> m_waiting;                   // jobs with buffered lines, first seen first
  std::map<std::string, std::vector<std::string>> m_buffers;
  std::set<std::string> m_finished;
};

/// A git hook's output: one line per job; for a failed job, its failed steps' whole output.
class CompactSink final : public EventSink {
public:
  explicit CompactSink(std::ostream& out) : m_out(out) {}
  void handle(const Event& event) override;
  void flush() override { m_out.flush(); }

  /// How many lines of one step's output are kept for the failure report.
  static constexpr std::size_t k_max_lines = 2000;

private:
  void print_failure(const std::string& job);

  std::ostream& m_out;
  std::map<std::string, std::vector<std::string>> m_current;  // job -> the running step's lines
  std::map<std::string, std::vector<std::string>> m_failures;  // job -> failed steps' reports
  std::map<std::string, std::vector<std::string>> m_annotations;  // job -> error annotations
};

/// The lines of an output event's text (one event may carry several), without line ends.
[[nodiscard]] std::vector<std::string> output_lines(std::string_view text);

/// A hook's line for one job: "✓ lint (1.2s)", "✗ test (3.0s)", "- docs (skipped: why)".
[[nodiscard]] std::string compact_job_line(const std::string& job, NodeResult result, const std::string& detail);

/// One `::error file=..,line=..,col=..,title=..::message` line (no newline), escaped as the
/// runner unescapes it; `job` prefixes the title.
[[nodiscard]] std::string render_workflow_command(const Annotation& annotation, const std::string& job);

/// The run summary as Markdown for `$GITHUB_STEP_SUMMARY`.
[[nodiscard]] std::string render_markdown_summary(const RunSummary& summary);

/// Whether pipe itself runs inside a container (/.dockerenv, /run/.containerenv, or cgroup).
[[nodiscard]] bool running_in_container();

/// Whether the environment variable `name` is "true" (any case) or "1".
[[nodiscard]] bool env_flag(const char* name);

}  // namespace pipeline::runner::engine
