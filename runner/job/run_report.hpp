#pragma once
// The record pass of `pipe run`: what the terminal shows, the summary, the run's JSON record and
// the `--report` files.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/engine/interruption.hpp"
#include "runner/engine/output_guard.hpp"
#include "runner/engine/reporter.hpp"
#include "runner/job/run_options.hpp"

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

}  // namespace pipeline::runner::job
