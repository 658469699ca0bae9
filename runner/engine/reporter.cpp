#include "runner/engine/reporter.hpp"

#include <filesystem>

#include "runner/engine/run_record.hpp"

namespace pipeline::runner::engine {

void TerminalSink::handle(const Event& event) {
  m_text.clear();
  append_terminal(m_text, event, m_color);
  m_out.write(m_text.data(), static_cast<std::streamsize>(m_text.size()));
}

void JsonLinesSink::handle(const Event& event) { m_out << render_json(event) << '\n'; }

void JobLogSink::handle(const Event& event) {
  if (event.job.empty()) {
    return;
  }
  m_text.clear();
  append_log(m_text, event);
  if (m_text.empty()) {
    return;
  }
  auto [it, inserted] = m_files.try_emplace(event.job);
  if (inserted) {
    std::error_code ec;
    std::filesystem::create_directories(m_dir, ec);
    it->second.open(m_dir + "/" + job_log_name(event.job), std::ios::binary | std::ios::app);
  }
  it->second.write(m_text.data(), static_cast<std::streamsize>(m_text.size()));
}

void JobLogSink::flush() {
  for (auto& [job, file] : m_files) {
    file.flush();
  }
}

std::size_t SummaryCollector::job(const std::string& name) {
  for (std::size_t i = 0; i < m_jobs.size(); ++i) {
    if (m_jobs[i].name == name) {
      return i;
    }
  }
  m_jobs.push_back(JobSummary{name, NodeResult::success, {}, {}, {}, {}});
  m_records.push_back(JobRecord{name, NodeResult::success, {}, {}});
  return m_jobs.size() - 1;
}

void SummaryCollector::step_finished(const Event& event, const std::deque<std::string>& tail) {
  const std::size_t i = job(event.job);
  if (event.result == NodeResult::failure) {
    m_jobs[i].failed_steps.push_back(FailedStep{event.step, event.result, {tail.begin(), tail.end()}});
  }
  const bool failed = event.result == NodeResult::failure || event.result == NodeResult::cancelled;
  m_records[i].steps.push_back(StepRecord{event.step, event.result, event.duration,
                                          failed ? std::vector<std::string>(tail.begin(), tail.end())
                                                 : std::vector<std::string>{}});
}

void SummaryCollector::handle(const Event& event) {
  if (event.job.empty()) {
    return;
  }
  auto& tail = m_tails[event.job];
  switch (event.kind) {
    case EventKind::job_started: job(event.job); break;
    case EventKind::job_finished: {
      const std::size_t i = job(event.job);
      m_jobs[i].result = m_records[i].result = event.result;
      m_jobs[i].duration = m_records[i].duration = event.duration;
      break;
    }
    case EventKind::step_started: tail.clear(); break;
    case EventKind::output:
      // One event may carry thousands of lines: only the last m_tail_lines can stay.
      for_each_last_line(
          event.text, m_tail_lines,
          [&](std::string_view line) {
            tail.emplace_back(line);
            if (tail.size() > m_tail_lines) {
              tail.pop_front();
            }
          },
          CarriageReturn::drop);
      break;
    case EventKind::step_finished:
      step_finished(event, tail);
      tail.clear();
      break;
    case EventKind::annotation: m_jobs[job(event.job)].annotations.push_back(event.annotation); break;
    case EventKind::step_summary: m_jobs[job(event.job)].step_summaries.push_back(event.text); break;
    case EventKind::group_start:
    case EventKind::group_end:
    case EventKind::notice: break;
  }
}

RunSummary SummaryCollector::summary(std::chrono::milliseconds run_duration) const {
  return RunSummary{m_jobs, run_duration};
}

Reporter::Reporter(std::vector<EventSink*> sinks) : m_sinks(std::move(sinks)), m_thread([this] { loop(); }) {}

Reporter::~Reporter() { stop(); }

void Reporter::post(Event event) {
  {
    std::lock_guard lock(m_mutex);
    m_queue.push_back(std::move(event));
  }
  m_changed.notify_one();
}

void Reporter::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_changed.notify_one();
  if (m_thread.joinable()) {
    m_thread.join();
  }
}

void Reporter::loop() {
  std::unique_lock lock(m_mutex);
  while (true) {
    m_changed.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
    if (m_queue.empty()) {
      for (auto* sink : m_sinks) {
        sink->finish();
      }
      return;
    }
    // Take the whole batch so posting threads never wait on the terminal.
    std::deque<Event> batch;
    batch.swap(m_queue);
    lock.unlock();
    for (const auto& event : batch) {
      for (auto* sink : m_sinks) {
        sink->handle(event);
      }
    }
    for (auto* sink : m_sinks) {
      sink->flush();
    }
    lock.lock();
  }
}

}  // namespace pipeline::runner::engine
