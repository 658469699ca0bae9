#pragma once
// The report pass of `pipe run`: where events go while it runs (terminal, job logs, the run
// record), then the summary, the result, the run's JSON record and the `--report` files.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/engine/interruption.hpp"
#include "runner/engine/output_guard.hpp"
#include "runner/engine/reporter.hpp"
#include "runner/engine/run_record.hpp"
#include "runner/engine/scheduler.hpp"
#include "runner/job/job_services.hpp"
#include "runner/job/run.hpp"
#include "runner/job/run_options.hpp"
#include "runner/job/token_hint.hpp"
#include "runner/output/masker.hpp"

namespace pipeline::runner::job {

/// The run's record as run.json and `--report json=` hold it.
[[nodiscard]] nlohmann::json run_json(const std::string& run_id, const engine::RunSummary& summary, int exit_code,
                                      bool interrupted);

/// The terminal's sink; once standard output fails, nothing more is written there and the run
/// is interrupted as by the signal the failure stands for.
[[nodiscard]] std::unique_ptr<engine::OutputGuard> terminal_sink(const RunOptions& options, engine::Interruption& interruption);

/// Prints the final summary in the chosen style (and GITHUB_STEP_SUMMARY's markdown under `--github-actions`).
void print_summary(const RunOptions& options, const engine::RunSummary& summary);

/// Writes each `--report`; returns a message per report that could not be written (not a failed run).
[[nodiscard]] std::vector<std::string> write_reports(const RunOptions& options, const nlohmann::json& run_record,
                                                     const engine::SummaryCollector& collector,
                                                     std::chrono::milliseconds duration);

/// The result of a run that went as far as its end: interrupted (by a signal, or `cancelled`),
/// a job failed, or success.
[[nodiscard]] RunResult ended_run(bool failed, const engine::Interruption& interruption, bool cancelled);

/// Where a run's events go, opened before the first one: the terminal, the summary collector,
/// the caller's sinks and the run record's job logs, all behind one masker and one reporter.
struct RunOutput {
  RunOutput(const RunOptions& options, const std::string& dir, engine::Interruption& interruption);
  RunOutput(const RunOutput&) = delete;
  RunOutput& operator=(const RunOutput&) = delete;

  std::string run_id;
  Result<engine::RunRecord> record;  // an error in a dry run, which keeps no record
  output::Masker masker;
  std::unique_ptr<engine::OutputGuard> terminal;
  std::unique_ptr<engine::JobLogSink> logs;
  engine::SummaryCollector collector;
  TokenHint token_hint;  // a step failing for want of a GitHub token gets a hint at the end
  std::unique_ptr<engine::Reporter> reporter;  // last: it stops before the sinks go
};

/// What the jobs left behind: each node's report, whether a workflow failed to load, the run's
/// services (artifacts) and when the run started.
struct RunEnding {
  std::vector<engine::NodeReport> reports;
  bool broken_workflows = false;
  std::shared_ptr<JobServices> services;  // null when the run kept no record
  std::chrono::steady_clock::time_point started;
};

/// The report pass, once every job has ended and the reporter has stopped: the summary, the
/// run record (run.json, latest, pruning) and the `--report` files. A summary that cannot be
/// written interrupts the run too, so the exit code says the output is incomplete.
[[nodiscard]] RunResult report_run(const RunOptions& options, RunOutput& output, RunEnding ending,
                                   engine::Interruption& interruption);

}  // namespace pipeline::runner::job
