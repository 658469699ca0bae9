// The record pass of `pipe run`: what the terminal shows, the summary, the run's JSON record and
// the `--report` files.
#include "runner/job/run_report.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <unistd.h>

#include "runner/engine/ci_output.hpp"
#include "runner/engine/follow.hpp"
#include "runner/engine/live_view.hpp"
#include "runner/engine/render.hpp"
#include "runner/engine/report_junit.hpp"
#include "runner/engine/terminal_mode.hpp"

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
  }
  const char* result = exit_code == 0 ? "success" : interrupted ? "cancelled" : "failure";
  return {{"id", run_id}, {"result", result}, {"exit_code", exit_code},
          {"duration_ms", summary.duration.count()}, {"jobs", jobs}};
}

namespace {

/// The terminal sink of the full style: the live view on a terminal, else lines as they come.
std::unique_ptr<EventSink> full_sink(const RunOptions& options, engine::Interruption& interruption) {
  const auto env = engine::read_terminal_env(STDOUT_FILENO);
  const auto color_choice = options.color.value_or(engine::ColorChoice::automatic);
  const auto color = engine::decide_color(color_choice, env);
  if (engine::decide_live_view(options.progress.value_or(engine::ProgressChoice::automatic), color_choice, env)) {
    return std::make_unique<engine::LiveView>(
        std::cout, engine::LiveViewOptions{color, options.follow},
        [] { return engine::terminal_size(STDOUT_FILENO); }, [] { return std::chrono::system_clock::now(); },
        &interruption);
  }
  auto lines = std::make_unique<TerminalSink>(std::cout, color);
  if (options.follow.empty()) {
    return lines;
  }
  return std::make_unique<engine::FollowFilter>(std::move(lines), options.follow);
}

/// The terminal's sink for the chosen output style.
std::unique_ptr<EventSink> style_sink(const RunOptions& options, engine::Interruption& interruption) {
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
  return full_sink(options, interruption);
}

}  // namespace

std::unique_ptr<OutputGuard> terminal_sink(const RunOptions& options, Interruption& interruption) {
  const int signal = closed_output_signal(STDOUT_FILENO);
  return std::make_unique<OutputGuard>(style_sink(options, interruption), std::cout, [&interruption, signal] {
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
  const auto color = engine::decide_color(options.color.value_or(engine::ColorChoice::automatic),
                                          engine::read_terminal_env(STDOUT_FILENO));
  std::cout << render_summary(summary, plain ? ColorMode::plain : color) << std::flush;
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
