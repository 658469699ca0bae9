#include "runner/engine/ci_output.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>
#include <system_error>
#include <filesystem>

namespace pipeline::runner::engine {
namespace {

// The runner unescapes these in a command's data; properties also treat ':' and ',' as syntax.
std::string escape_command(std::string_view text, bool property) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      case ':': out += property ? "%3A" : ":"; break;
      case ',': out += property ? "%2C" : ","; break;
      default: out += c;
    }
  }
  return out;
}

std::string_view command_name(AnnotationLevel level) {
  switch (level) {
    case AnnotationLevel::error: return "error";
    case AnnotationLevel::warning: return "warning";
    case AnnotationLevel::notice: return "notice";
    case AnnotationLevel::debug: return "debug";
  }
  return "error";
}

// The text of a job's event inside its group: no `[job]` prefix, annotations as commands.
// Every output line keeps its "  | " so none can start a workflow command of the outer runner.
std::string group_text(const Event& event, ColorMode color) {
  if (event.kind == EventKind::annotation) {
    return render_workflow_command(event.annotation, event.job) + "\n";
  }
  if (event.kind == EventKind::output) {
    std::string out;
    for (const auto& line : output_lines(event.text)) {
      out += "  | " + line + "\n";
    }
    return out;
  }
  Event bare = event;
  bare.job.clear();
  return render_terminal(bare, color);
}

std::string markdown_cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    out += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
  }
  return out;
}

// Markdown passes inline HTML through: text inside <summary> must not open a tag.
std::string html_text(std::string_view text) {
  std::string out;
  for (char c : text) {
    out += c == '<' ? std::string("&lt;") : c == '>' ? std::string("&gt;") : c == '&' ? std::string("&amp;")
                                                                                      : std::string(1, c);
  }
  return out;
}

std::string_view result_icon(NodeResult result) {
  switch (result) {
    case NodeResult::success: return "✅";
    case NodeResult::failure: return "❌";
    case NodeResult::cancelled: return "⊘";
    case NodeResult::skipped: return "⏭";
  }
  return "";
}

bool file_mentions_container(const char* path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  for (const char* word : {"docker", "kubepods", "containerd", "libpod", "lxc"}) {
    if (s.find(word) != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

void CiTerminalSink::handle(const Event& event) {
  m_lines.clear();
  append_terminal(m_lines, event, m_color);
  if (m_lines.empty()) {
    return;
  }
  m_text.clear();
  append_prefixed_lines(m_text, format_time(event.time) + " ", m_lines);
  m_out.write(m_text.data(), static_cast<std::streamsize>(m_text.size()));
}

void GitHubActionsSink::handle(const Event& event) {
  if (event.job.empty()) {
    m_out << render_terminal(event, m_color);
    return;
  }
  const std::string text = group_text(event, m_color);
  const bool finished = event.kind == EventKind::job_finished;
  if (m_live.empty() && m_buffers.find(event.job) == m_buffers.end()) {
    open_group(event.job);
  }
  if (m_live == event.job) {
    m_out << text;
    if (finished) {
      close_group();
      drain();
    }
    return;
  }
  auto [it, inserted] = m_buffers.try_emplace(event.job);
  if (inserted) {
    m_waiting.push_back(event.job);
  }
  if (!text.empty()) {
    it->second.push_back(text);
  }
  if (finished) {
    m_finished.insert(event.job);
  }
}

void GitHubActionsSink::open_group(const std::string& job) {
  m_live = job;
  m_out << "::group::" << escape_command(job, false) << "\n";
}

void GitHubActionsSink::close_group() {
  m_out << "::endgroup::\n";
  m_live.clear();
}

// Prints finished buffered jobs whole; the first unfinished one becomes the live group.
void GitHubActionsSink::drain() {
  while (m_live.empty() && !m_waiting.empty()) {
    const std::string job = m_waiting.front();
    m_waiting.erase(m_waiting.begin());
    open_group(job);
    for (const auto& text : m_buffers[job]) {
      m_out << text;
    }
    m_buffers.erase(job);
    if (m_finished.count(job) != 0) {
      close_group();
    }
  }
}

void GitHubActionsSink::finish() {
  if (!m_live.empty()) {
    close_group();
  }
  m_finished.insert(m_waiting.begin(), m_waiting.end());
  drain();
  m_out.flush();
}

void CompactSink::handle(const Event& event) {
  auto& lines = m_current[event.job];
  switch (event.kind) {
    case EventKind::step_started: lines.clear(); break;
    case EventKind::output:
      for (auto& line : output_lines(event.text)) {
        if (lines.size() < k_max_lines) {
          lines.push_back(std::move(line));
        }
      }
      break;
    case EventKind::step_finished:
      if (event.result == NodeResult::failure) {
        auto& report = m_failures[event.job];
        report.push_back("--- " + event.step + " (failed)");
        report.insert(report.end(), lines.begin(), lines.end());
      }
      lines.clear();
      break;
    case EventKind::annotation:
      if (event.annotation.level == AnnotationLevel::error) {
        m_annotations[event.job].push_back(format_annotation(event.annotation));
      }
      break;
    case EventKind::notice:
      if (event.job.empty()) {
        m_out << render_terminal(event, ColorMode::plain);
      }
      break;
    case EventKind::job_finished:
      m_out << compact_job_line(event.job, event.result,
                                event.result == NodeResult::skipped ? std::string() : format_duration(event.duration));
      if (event.result == NodeResult::failure) {
        print_failure(event.job);
      }
      break;
    default: break;
  }
}

void CompactSink::print_failure(const std::string& job) {
  for (const auto& line : m_failures[job]) {
    m_out << "    " << line << "\n";
  }
  for (const auto& line : m_annotations[job]) {
    m_out << "    " << line << "\n";
  }
  m_failures.erase(job);
  m_annotations.erase(job);
}

std::vector<std::string> output_lines(std::string_view text) {
  std::vector<std::string> lines;
  for_each_line(text, [&](std::string_view line) { lines.emplace_back(line); }, CarriageReturn::drop);
  return lines;
}

std::string compact_job_line(const std::string& job, NodeResult result, const std::string& detail) {
  std::string_view mark = result == NodeResult::success   ? "✓"
                          : result == NodeResult::failure ? "✗"
                          : result == NodeResult::skipped ? "-"
                                                          : "⊘";
  std::string text = detail.empty() ? std::string(to_string(result)) : detail;
  if (result == NodeResult::skipped && !detail.empty()) {
    text = "skipped: " + detail;
  }
  return std::string(mark) + " " + job + " (" + text + ")\n";
}

std::string render_workflow_command(const Annotation& annotation, const std::string& job) {
  std::vector<std::string> properties;
  if (!annotation.file.empty()) {
    properties.push_back("file=" + escape_command(annotation.file, true));
  }
  if (annotation.line > 0) {
    properties.push_back("line=" + std::to_string(annotation.line));
  }
  if (annotation.column > 0) {
    properties.push_back("col=" + std::to_string(annotation.column));
  }
  const std::string title = annotation.title.empty() ? job : job + ": " + annotation.title;
  if (!title.empty()) {
    properties.push_back("title=" + escape_command(title, true));
  }
  std::string line = "::" + std::string(command_name(annotation.level));
  for (std::size_t i = 0; i < properties.size(); ++i) {
    line += (i == 0 ? " " : ",") + properties[i];
  }
  return line + "::" + escape_command(annotation.message, false);
}

std::string render_markdown_summary(const RunSummary& summary) {
  std::string out = "### pipe\n\n| Job | Result | Duration |\n|---|---|---|\n";
  for (const auto& job : summary.jobs) {
    out += "| " + markdown_cell(job.name) + " | " + std::string(result_icon(job.result)) + " " +
           std::string(to_string(job.result)) + " | " +
           (job.result == NodeResult::skipped ? std::string() : format_duration(job.duration)) + " |\n";
  }
  for (const auto& job : summary.jobs) {
    for (const auto& step : job.failed_steps) {
      out += "\n<details><summary>" + html_text(markdown_cell(job.name + " › " + step.name)) + " failed</summary>\n\n```text\n";
      for (const auto& line : step.tail) {
        out += line + "\n";
      }
      out += "```\n</details>\n";
    }
    for (const auto& annotation : job.annotations) {
      out += "\n- " + markdown_cell(job.name) + ": `" + markdown_cell(format_annotation(annotation)) + "`\n";
    }
  }
  for (const auto& job : summary.jobs) {
    for (const auto& markdown : job.step_summaries) {
      out += "\n" + markdown + (markdown.empty() || markdown.back() == '\n' ? "" : "\n");
    }
  }
  return out + "\nTotal: " + format_duration(summary.duration) + "\n";
}

bool running_in_container() {
  std::error_code ec;
  if (std::filesystem::exists("/.dockerenv", ec) || std::filesystem::exists("/run/.containerenv", ec)) {
    return true;
  }
  return file_mentions_container("/proc/1/cgroup");
}

bool env_flag(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) {
    return false;
  }
  std::string text(value);
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text == "true" || text == "1";
}

}  // namespace pipeline::runner::engine
