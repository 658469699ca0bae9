#pragma once
// What one task has to tell the server: its log rows (from the last acknowledged one on), its
// step states, its outputs and its result. Filled from the engine's events on one thread and
// read by the reporting loop on another.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "runner/forge/messages.hpp"

namespace pipeline::runner::forge {

/// The rows of an UpdateLog call and where they start.
struct LogBatch {
  std::int64_t index = 0;  // the server's index of rows.front()
  std::vector<LogRow> rows;
};

/// The log, step states, outputs and result of one task; every member is thread-safe.
class TaskLog {
public:
  /// A task whose job has `step_count` steps.
  TaskLog(std::int64_t task_id, std::size_t step_count);

  /// Appends one row (no newline) to the log, counted in the current step when one runs.
  void add_row(std::string content, Clock::time_point time = Clock::now());
  /// Step `index` (of the job's `steps:`) started.
  void step_started(int index, Clock::time_point time);
  /// Step `index` ended with `result`.
  void step_finished(int index, TaskResult result, Clock::time_point time);
  /// The job's outputs (replacing those not yet sent with the same name).
  void set_outputs(const StringMap& outputs);
  /// The task ended: sets the result and stop time, and gives unfinished steps an end.
  void finish(TaskResult result);

  /// Rows not yet acknowledged, at most `limit`, starting at the acknowledged index.
  [[nodiscard]] LogBatch pending_rows(std::size_t limit) const;
  /// How many rows wait for an acknowledgement.
  [[nodiscard]] std::size_t pending_count() const;
  /// Records the server's ack_index; an index below the last acknowledged one is an error
  /// (rows the server said it had are gone) and changes nothing.
  [[nodiscard]] bool acknowledge(std::int64_t ack_index);
  /// The state to send.
  [[nodiscard]] TaskState state() const;
  /// Outputs the server has not confirmed yet.
  [[nodiscard]] StringMap unsent_outputs() const;
  /// Records the outputs the server stored.
  void outputs_sent(const std::vector<std::string>& names);
  /// Whether finish() was called.
  [[nodiscard]] bool finished() const;

private:
  mutable std::mutex m_mutex;
  TaskState m_state;
  std::vector<LogRow> m_rows;  // rows from m_acked on
  std::int64_t m_acked = 0;    // rows the server holds
  std::int64_t m_total = 0;    // rows ever added
  int m_current_step = -1;
  StringMap m_outputs;
  std::set<std::string> m_sent;
};

}  // namespace pipeline::runner::forge
