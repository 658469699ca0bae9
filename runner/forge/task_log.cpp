#include "runner/forge/task_log.hpp"

#include <algorithm>

namespace pipeline::runner::forge {

TaskLog::TaskLog(std::int64_t task_id, std::size_t step_count) {
  m_state.id = task_id;
  m_state.started_at = Clock::now();
  m_state.steps.resize(step_count);
  for (std::size_t i = 0; i < step_count; ++i) {
    m_state.steps[i].id = static_cast<std::int64_t>(i);
  }
}

void TaskLog::add_row(std::string content, Clock::time_point time) {
  std::lock_guard lock(m_mutex);
  if (m_current_step >= 0) {
    StepState& step = m_state.steps[static_cast<std::size_t>(m_current_step)];
    if (step.log_length == 0) {
      step.log_index = m_total;
    }
    ++step.log_length;
  }
  m_rows.push_back({time, std::move(content)});
  ++m_total;
}

void TaskLog::step_started(int index, Clock::time_point time) {
  std::lock_guard lock(m_mutex);
  if (index < 0 || static_cast<std::size_t>(index) >= m_state.steps.size()) {
    return;
  }
  StepState& step = m_state.steps[static_cast<std::size_t>(index)];
  step.started_at = time;
  step.log_index = m_total;
  m_current_step = index;
}

void TaskLog::step_finished(int index, TaskResult result, Clock::time_point time) {
  std::lock_guard lock(m_mutex);
  if (index < 0 || static_cast<std::size_t>(index) >= m_state.steps.size()) {
    return;
  }
  StepState& step = m_state.steps[static_cast<std::size_t>(index)];
  if (step.log_length == 0) {
    step.log_index = m_total;
  }
  step.result = result;
  step.stopped_at = time;
  if (m_current_step == index) {
    m_current_step = -1;
  }
}

void TaskLog::set_outputs(const StringMap& outputs) {
  std::lock_guard lock(m_mutex);
  for (const auto& [name, value] : outputs) {
    if (m_sent.count(name) == 0) {
      m_outputs[name] = value;
    }
  }
}

void TaskLog::finish(TaskResult result) {
  std::lock_guard lock(m_mutex);
  const auto now = Clock::now();
  m_state.result = result;
  m_state.stopped_at = now;
  m_current_step = -1;
  // A step that never ended was cut short; one that never started was not reached.
  for (auto& step : m_state.steps) {
    if (step.result != TaskResult::unspecified) {
      continue;
    }
    step.result = step.started_at ? (result == TaskResult::success ? TaskResult::success : TaskResult::cancelled)
                                  : TaskResult::skipped;
    step.log_index = step.log_length == 0 ? m_total : step.log_index;
    step.stopped_at = now;
  }
}

LogBatch TaskLog::pending_rows(std::size_t limit) const {
  std::lock_guard lock(m_mutex);
  LogBatch batch;
  batch.index = m_acked;
  const std::size_t count = std::min(limit, m_rows.size());
  batch.rows.assign(m_rows.begin(), m_rows.begin() + static_cast<std::ptrdiff_t>(count));
  return batch;
}

std::size_t TaskLog::pending_count() const {
  std::lock_guard lock(m_mutex);
  return m_rows.size();
}

bool TaskLog::acknowledge(std::int64_t ack_index) {
  std::lock_guard lock(m_mutex);
  if (ack_index < m_acked) {
    return false;
  }
  const auto drop = static_cast<std::size_t>(std::min<std::int64_t>(ack_index - m_acked, static_cast<std::int64_t>(m_rows.size())));
  m_rows.erase(m_rows.begin(), m_rows.begin() + static_cast<std::ptrdiff_t>(drop));
  m_acked += static_cast<std::int64_t>(drop);
  return true;
}

TaskState TaskLog::state() const {
  std::lock_guard lock(m_mutex);
  return m_state;
}

StringMap TaskLog::unsent_outputs() const {
  std::lock_guard lock(m_mutex);
  return m_outputs;
}

void TaskLog::outputs_sent(const std::vector<std::string>& names) {
  std::lock_guard lock(m_mutex);
  for (const auto& name : names) {
    m_sent.insert(name);
    m_outputs.erase(name);
  }
}

bool TaskLog::finished() const {
  std::lock_guard lock(m_mutex);
  return m_state.result != TaskResult::unspecified;
}

}  // namespace pipeline::runner::forge
