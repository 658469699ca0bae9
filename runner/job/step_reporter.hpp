#pragma once
// The sink chain of one step: bytes → lines → workflow commands → masker → reporter.
#include <string>
#include <utility>
#include <vector>

#include "runner/backend/backend.hpp"
#include "runner/job/contexts.hpp"
#include "runner/engine/reporter.hpp"
#include "runner/output/masker.hpp"
#include "runner/output/step_output.hpp"

namespace pipeline::runner::job {

/// What a step's workflow commands asked for, besides showing lines.
struct StepCommands {
  EnvList outputs;              // ::set-output
  EnvList state;                // ::save-state
  EnvList env;                  // ::set-env (when allowed)
  std::vector<std::string> paths;  // ::add-path (when allowed)
  bool failed = false;          // a command error that fails the step
};

/// Whether `::debug::` lines are shown.
enum class DebugLines { hide, show };

/// Receives a step's raw output through output::StepOutput (lines, commands, masking) and turns
/// its events into reporter events and the step's command results.
class StepReporter final : public OutputSink {
public:
  StepReporter(engine::Reporter& reporter, output::Masker& masker, std::string job, std::string step,
             output::CommandSettings settings, DebugLines debug);

  void write(Stream stream, std::string_view bytes) override;
  /// Forwards the last unterminated lines; call once the process ended.
  void finish();
  /// What the step's commands asked for.
  [[nodiscard]] const StepCommands& commands() const { return m_commands; }

private:
  void handle(Stream stream, output::CommandEvent& event);
  void post(engine::EventKind kind, std::string text, Stream stream = Stream::out);
  void add_lines(Stream stream, std::string lines);
  void flush_lines();

  engine::Reporter& m_reporter;
  std::string m_job;
  std::string m_step;
  DebugLines m_debug;
  StepCommands m_commands;
  std::string m_lines;  // plain output lines of the current chunk, each ending in '\n', posted as one event
  Stream m_lines_stream = Stream::out;
  output::StepOutput m_chain;  // last: its consumer uses the members above
};

/// Posts an annotation event (the reporter masks its texts).
void post_annotation(engine::Reporter& reporter, const std::string& job, const std::string& step, engine::Annotation annotation);

/// Posts the end of `job` with `result`.
void post_job_finished(engine::Reporter& reporter, const std::string& job, engine::NodeResult result);

/// Posts `message` as the error annotation of `job`, then its end as failed: a job that could not start.
void post_failed_job(engine::Reporter& reporter, const std::string& job, const std::string& message);

}  // namespace pipeline::runner::job
