#include "runner/forge/task_reporter.hpp"

#include "runner/forge/backoff.hpp"

namespace pipeline::runner::forge {

TaskReporter::TaskReporter(const ForgeClient& client, TaskLog& log, std::chrono::milliseconds interval,
                           std::function<void()> on_cancelled, Warn warn)
    : m_client(client),
      m_log(log),
      m_interval(interval),
      m_on_cancelled(std::move(on_cancelled)),
      m_warn(std::move(warn)),
      m_thread([this] { loop(); }) {}

TaskReporter::~TaskReporter() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) {
    m_thread.join();
  }
}

void TaskReporter::rows_added() {
  if (m_log.pending_count() >= k_rows_per_wake) {
    m_wake.notify_all();
  }
}

void TaskReporter::loop() {
  std::unique_lock lock(m_mutex);
  while (!m_stopping) {
    m_wake.wait_for(lock, m_interval, [this] { return m_stopping || m_log.pending_count() >= k_rows_per_wake; });
    if (m_stopping) {
      break;
    }
    lock.unlock();
    auto logged = report_log(false);
    auto reported = logged ? report_state() : logged;
    warn_once(reported);
    lock.lock();
  }
}

void TaskReporter::warn_once(const Result<void>& result) {
  if (result) {
    m_failing = false;
  } else if (!m_failing) {
    m_failing = true;
    m_warn(result.error().message + "; retrying");
  }
}

Result<void> TaskReporter::report_log(bool no_more) {
  // Rows go in order; a failed call is sent again from the server's last ack_index.
  while (true) {
    const LogBatch batch = m_log.pending_rows(k_rows_per_request);
    const bool last = no_more && batch.rows.size() == m_log.pending_count();
    if (batch.rows.empty() && !last) {
      return {};
    }
    auto ack = m_client.update_log(m_log.state().id, batch.index, batch.rows, last);
    if (!ack) {
      return ack.error();
    }
    if (!m_log.acknowledge(*ack)) {
      return Error{"UpdateLog: the server lost log rows it had acknowledged"};
    }
    if (*ack < batch.index + static_cast<std::int64_t>(batch.rows.size())) {
      return Error{"UpdateLog: the server kept " + std::to_string(*ack - batch.index) + " of " +
                   std::to_string(batch.rows.size()) + " rows"};
    }
    if (last || batch.rows.size() < k_rows_per_request) {
      if (!last && no_more) {
        continue;  // rows arrived meanwhile: the one with no_more must carry the end
      }
      return {};
    }
  }
}

Result<void> TaskReporter::report_state() {
  const bool finished = m_log.finished();
  auto answer = m_client.update_task(m_log.state(), m_log.unsent_outputs());
  if (!answer) {
    return answer.error();
  }
  m_log.outputs_sent(answer->sent_outputs);
  if (answer->server_result == TaskResult::cancelled && !finished && !m_cancel_seen) {
    m_cancel_seen = true;
    m_on_cancelled();
  }
  if (finished && !m_log.unsent_outputs().empty()) {
    return Error{"UpdateTask: the server did not store every output"};
  }
  return {};
}

Result<void> TaskReporter::close(std::chrono::milliseconds limit) {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) {
    m_thread.join();
  }
  const auto deadline = std::chrono::steady_clock::now() + limit;
  Backoff backoff(std::min(m_interval, std::chrono::milliseconds(1000)), std::chrono::seconds(30));
  while (true) {
    auto logged = report_log(true);
    auto reported = logged ? report_state() : logged;
    if (reported) {
      return {};
    }
    warn_once(reported);
    const auto wait = backoff.after_failure();
    if (std::chrono::steady_clock::now() + wait > deadline) {
      return reported;
    }
    std::this_thread::sleep_for(wait);
  }
}

}  // namespace pipeline::runner::forge
