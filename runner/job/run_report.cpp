// The record pass of `pipe run`: what the terminal shows, the summary, the run's JSON record and
// the `--report` files.
#include "runner/job/run_report.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <unistd.h>

#include "runner/engine/ci_output.hpp"
#include "runner/job/act_habits.hpp"
#include "runner/engine/render.hpp"
#include "runner/engine/report_junit.hpp"

namespace pipeline::runner::engine {

nlohmann::json run_json(const std::string& run_id, const RunSummary& summary, int exit_code, bool interrupted) {
  nlohmann::json jobs = nlohmann::json::array();
  for (const auto& job : summary.jobs) {
    nlohmann::json annotations = nlohmann::json::array();
    for (const auto& a : job.annotations) {
      annotations.push_back({{"level", to_string(a.level)}, {"file", a.file}, {"line", a.line},
                             {"title", a.title}, {"message", a.message}});
    }
    nlohmann::json failed = nlohmann::json::array();
    for (const auto& step : job.failed_steps) {
      failed.push_back({{"name", step.name}, {"result", to_string(step.result)}});
    }
    jobs.push_back({{"name", job.name}, {"result", to_string(job.result)}, {"duration_ms", job.duration.count()},
                    {"failed_steps", failed}, {"annotations", annotations}});
    if (!job.environment.empty()) {
      jobs.back()["environment"] = {{"name", job.environment}, {"url", job.environment_url}};
    }
  }
  const char* result = exit_code == 0 ? "success" : interrupted ? "cancelled" : "failure";
  return {{"id", run_id}, {"result", result}, {"exit_code", exit_code},
          {"duration_ms", summary.duration.count()}, {"jobs", jobs}};
}

namespace {

/// The terminal's sink for the chosen output style.
std::unique_ptr<EventSink> style_sink(const RunOptions& options) {
  if (options.json) {
    return std::make_unique<JsonLinesSink>(std::cout);
  }
  if (options.github_actions) {
    return std::make_unique<GitHubActionsSink>(std::cout);
  }
  switch (options.output) {
    case OutputStyle::ci: return std::make_unique<CiTerminalSink>(std::cout);
    case OutputStyle::compact: return std::make_unique<CompactSink>(std::cout);
    case OutputStyle::full: break;
  }
  return std::make_unique<TerminalSink>(std::cout, detect_color_mode(STDOUT_FILENO));
}

}  // namespace

std::unique_ptr<OutputGuard> terminal_sink(const RunOptions& options, Interruption& interruption) {
  const int signal = closed_output_signal(STDOUT_FILENO);
  return std::make_unique<OutputGuard>(quiet_if_asked(options, style_sink(options)), std::cout, [&interruption, signal] {
    if (interruption.interrupt(signal)) {
      std::cerr << interruption_message(signal) << std::flush;
    }
  });
}

void print_summary(const RunOptions& options, const RunSummary& summary) {
  if (options.json || options.output == OutputStyle::compact) {
    return;
  }
  const bool plain = options.output == OutputStyle::ci || options.github_actions;
  std::cout << render_summary(summary, plain ? ColorMode::plain : detect_color_mode(STDOUT_FILENO)) << std::flush;
  if (const char* file = std::getenv("GITHUB_STEP_SUMMARY"); options.github_actions && file && *file) {
    std::ofstream(file, std::ios::app) << render_markdown_summary(summary);
  }
}

std::vector<std::string> write_reports(const RunOptions& options, const nlohmann::json& run_record,
                                       const SummaryCollector& collector, std::chrono::milliseconds duration) {
  std::vector<std::string> problems;
  for (const auto& report : options.reports) {
    std::ofstream out(report.file, std::ios::binary | std::ios::trunc);
    if (report.kind == "junit") {
      out << render_junit(collector.jobs(), duration);
    } else {
      out << run_record.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    }
    if (!out.flush()) {
      problems.push_back("cannot write the " + report.kind + " report to '" + report.file + "'");
    }
  }
  return problems;
}

}  // namespace pipeline::runner::engine
