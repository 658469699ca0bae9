#include "runner/job/run_report.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>

#include "runner/engine/ci_output.hpp"
#include "runner/engine/follow.hpp"
#include "runner/engine/live_view.hpp"
#include "runner/job/act_habits.hpp"
#include "runner/engine/render.hpp"
#include "runner/engine/report_junit.hpp"
#include "runner/engine/terminal_mode.hpp"

namespace pipeline::runner::job {

nlohmann::json run_json(const std::string& run_id, const engine::RunSummary& summary, int exit_code, bool interrupted) {
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

/// The terminal sink of the full style: the live view on a terminal, else lines as they come.
std::unique_ptr<engine::EventSink> full_sink(const RunOptions& options, engine::Interruption& interruption) {
  const auto env = engine::read_terminal_env(STDOUT_FILENO);
  const auto color_choice = options.color.value_or(engine::ColorChoice::automatic);
  const auto color = engine::decide_color(color_choice, env);
  if (engine::decide_live_view(options.progress.value_or(engine::ProgressChoice::automatic), color_choice, env)) {
    return std::make_unique<engine::LiveView>(
        std::cout, engine::LiveViewOptions{color, options.follow},
        [] { return engine::terminal_size(STDOUT_FILENO); }, [] { return std::chrono::system_clock::now(); },
        &interruption);
  }
  auto lines = std::make_unique<engine::TerminalSink>(std::cout, color);
  if (options.follow.empty()) {
    return lines;
  }
  return std::make_unique<engine::FollowFilter>(std::move(lines), options.follow);
}

/// The colors of CI's plain lines: none unless asked for.
engine::ColorMode ci_color(const RunOptions& options) {
  return engine::decide_ci_color(options.color.value_or(engine::ColorChoice::automatic), engine::read_terminal_env(STDOUT_FILENO));
}

/// The terminal's sink for the chosen output style.
std::unique_ptr<engine::EventSink> style_sink(const RunOptions& options, engine::Interruption& interruption) {
  if (options.json) {
    return std::make_unique<engine::JsonLinesSink>(std::cout);
  }
  if (options.github_actions) {
    return std::make_unique<engine::GitHubActionsSink>(std::cout, ci_color(options));
  }
  switch (options.output) {
    case OutputStyle::ci: return std::make_unique<engine::CiTerminalSink>(std::cout, ci_color(options));
    case OutputStyle::compact: return std::make_unique<engine::CompactSink>(std::cout);
    case OutputStyle::full: break;
  }
  return full_sink(options, interruption);
}

}  // namespace

std::unique_ptr<engine::OutputGuard> terminal_sink(const RunOptions& options, engine::Interruption& interruption) {
  const int signal = engine::closed_output_signal(STDOUT_FILENO);
  return std::make_unique<engine::OutputGuard>(quiet_if_asked(options, style_sink(options, interruption)), std::cout, [&interruption, signal] {
    if (interruption.interrupt(signal)) {
      std::cerr << engine::interruption_message(signal) << std::flush;
    }
  });
}

void print_summary(const RunOptions& options, const engine::RunSummary& summary) {
  if (options.json || options.output == OutputStyle::compact) {
    return;
  }
  const bool ci = options.output == OutputStyle::ci || options.github_actions;
  const auto color = ci ? ci_color(options)
                        : engine::decide_color(options.color.value_or(engine::ColorChoice::automatic),
                                               engine::read_terminal_env(STDOUT_FILENO));
  std::cout << engine::render_summary(summary, color) << std::flush;
  if (const char* file = std::getenv("GITHUB_STEP_SUMMARY"); options.github_actions && file && *file) {
    std::ofstream(file, std::ios::app) << engine::render_markdown_summary(summary);
  }
}

std::vector<std::string> write_reports(const RunOptions& options, const nlohmann::json& run_record,
                                       const engine::SummaryCollector& collector, std::chrono::milliseconds duration) {
  std::vector<std::string> problems;
  for (const auto& report : options.reports) {
    std::ofstream out(report.file, std::ios::binary | std::ios::trunc);
    if (report.kind == "junit") {
      out << engine::render_junit(collector.jobs(), duration);
    } else {
      out << run_record.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    }
    if (!out.flush()) {
      problems.push_back("cannot write the " + report.kind + " report to '" + report.file + "'");
    }
  }
  return problems;
}

RunResult ended_run(bool failed, const engine::Interruption& interruption, bool cancelled) {
  RunResult result;
  const bool interrupted = interruption.signal() != 0 || cancelled;
  result.status = interrupted ? k_exit_interrupted : failed ? k_exit_job_failed : k_exit_success;
  result.signal = interrupted ? interruption.exit_code() - k_exit_signal_base : 0;
  return result;
}

RunOutput::RunOutput(const RunOptions& options, const std::string& dir, engine::Interruption& interruption)
    : run_id(engine::make_run_id()),
      record(options.dry_run
                 ? Result<engine::RunRecord>(Error{"a dry run keeps no record"})
                 : engine::RunRecord::create((std::filesystem::path(dir) / ".pipe" / "runs").string(), run_id)),
      terminal(terminal_sink(options, interruption)),
      logs(record ? std::make_unique<engine::JobLogSink>(record->dir()) : nullptr),
      token_hint(options) {
  std::vector<engine::EventSink*> sinks{terminal.get(), &collector, &token_hint};
  sinks.insert(sinks.end(), options.event_sinks.begin(), options.event_sinks.end());
  if (logs) {
    sinks.push_back(logs.get());
  }
  reporter = std::make_unique<engine::Reporter>(sinks, &masker);
}

RunResult report_run(const RunOptions& options, RunOutput& output, RunEnding ending,
                     engine::Interruption& interruption) {
  bool failed = ending.broken_workflows;
  for (const auto& report : ending.reports) {
    failed = failed || report.result == engine::NodeResult::failure;
  }
  const auto duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - ending.started);
  const engine::RunSummary summary = output.collector.summary(duration);
  print_summary(options, summary);  // a failed stream writes nothing more
  output.token_hint.print(std::cerr);
  if (!std::cout.good()) {
    interruption.interrupt(engine::closed_output_signal(STDOUT_FILENO));
  }
  RunResult result = ended_run(failed, interruption, interruption.cancel().cancelled());
  result.run_id = output.record ? output.run_id : "";
  for (const auto& job : summary.jobs) {
    result.jobs.push_back({job.name, job.result});
  }
  nlohmann::json record_json =
      run_json(output.run_id, summary, result.exit_code(), result.status == k_exit_interrupted);
  if (ending.services) {
    if (auto artifacts = ending.services->record(); !artifacts.empty()) {
      record_json["artifacts"] = std::move(artifacts);
      record_json["artifacts_dir"] = ending.services->artifacts_dir();
    }
    ending.services.reset();  // stops serving: every job has ended
  }
  if (output.record) {
    (void)output.record->write_run_json(record_json);
    (void)output.record->mark_latest();
    engine::prune_runs(std::filesystem::path(output.record->dir()).parent_path().string());
  }
  result.errors = write_reports(options, record_json, output.collector, duration);
  return result;
}

}  // namespace pipeline::runner::job
