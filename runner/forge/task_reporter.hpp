#pragma once
// Sends one task's log rows and state to the server while it runs (every report interval, or
// sooner when many rows wait), resending from the server's ack_index after a failure; the
// UpdateTask answer is where a cancellation arrives.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "runner/forge/client.hpp"
#include "runner/forge/task_log.hpp"

namespace pipeline::runner::forge {

/// Rows waiting that wake the reporter before its interval ends.
inline constexpr std::size_t k_rows_per_wake = 500;
/// Rows one UpdateLog call carries at most.
inline constexpr std::size_t k_rows_per_request = 5000;

/// Called with a line for the daemon's own log.
using Warn = std::function<void(const std::string& line)>;

/// The reporting loop of one task; runs from construction until close().
class TaskReporter {
public:
  /// Reports `log` through `client` every `interval`; `on_cancelled` runs once when the server
  /// answers that the task was cancelled.
  TaskReporter(const ForgeClient& client, TaskLog& log, std::chrono::milliseconds interval,
               std::function<void()> on_cancelled, Warn warn);
  ~TaskReporter();
  TaskReporter(const TaskReporter&) = delete;
  TaskReporter& operator=(const TaskReporter&) = delete;

  /// Wakes the loop early when many rows wait (call after adding rows).
  void rows_added();
  /// After TaskLog::finish: stops the loop and sends everything left (the last UpdateLog with
  /// no_more, then the final state), retrying with backoff for at most `limit`.
  [[nodiscard]] Result<void> close(std::chrono::milliseconds limit);

private:
  void loop();
  Result<void> report_log(bool no_more);
  Result<void> report_state();
  void warn_once(const Result<void>& result);

  const ForgeClient& m_client;
  TaskLog& m_log;
  std::chrono::milliseconds m_interval;
  std::function<void()> m_on_cancelled;
  Warn m_warn;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stopping = false;
  bool m_failing = false;  // the last round failed: its error is logged once per streak
  bool m_cancel_seen = false;
  std::thread m_thread;
};

}  // namespace pipeline::runner::forge
