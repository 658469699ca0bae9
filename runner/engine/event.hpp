#pragma once
// What jobs tell the reporter: one value type for every kind of run event.
#include <chrono>
#include <string>
#include <vector>

#include "runner/backend/backend.hpp"
#include "runner/engine/scheduler.hpp"

namespace pipeline::runner::engine {

/// The kinds of events a run produces.
enum class EventKind {
  job_started,
  job_finished,
  step_started,
  step_finished,
  output,        // one line of step output, already masked
  annotation,    // ::error::, ::warning::, ::notice:: and failures
  group_start,   // ::group::title
  group_end,     // ::endgroup::
  notice,        // pipe's own message about a job (or the run when `job` is empty)
  step_summary,  // markdown a step wrote to GITHUB_STEP_SUMMARY
};

/// "job_started", "output", ... as used in JSON events.
[[nodiscard]] std::string_view to_string(EventKind kind);

/// The level of an annotation.
enum class AnnotationLevel { debug, notice, warning, error };

/// "debug", "notice", "warning" or "error".
[[nodiscard]] std::string_view to_string(AnnotationLevel level);

/// A message attached to a file position (or to nothing), as `::error file=...::` makes it.
struct Annotation {
  AnnotationLevel level = AnnotationLevel::error;
  std::string file;
  int line = 0;
  int column = 0;
  std::string title;
  std::string message;
};

/// One event; fields that do not apply to its kind stay empty.
struct Event {
  EventKind kind = EventKind::notice;
  std::string job;   // the job's display name; empty for run-wide notices
  std::string step;  // the step's display name, for step events and output
  int step_index = -1;  // for step events of the job's own steps: its index in `steps:`; -1 otherwise
  std::string text;  // output line (no newline), group title, notice, step summary markdown
  Stream stream = Stream::out;
  NodeResult result = NodeResult::success;  // for *_finished
  std::chrono::milliseconds duration{0};    // for *_finished
  Annotation annotation;
  std::string environment;      // for job_finished: the job's deployment environment, if any
  std::string environment_url;  // for job_finished: its `environment.url`, evaluated after the job
  std::chrono::system_clock::time_point time = std::chrono::system_clock::now();
};

}  // namespace pipeline::runner::engine
