#include "runner/engine/reporter.hpp"

#include <filesystem>

#include "runner/engine/run_record.hpp"

namespace pipeline::runner::engine {
namespace {

// Spare texts: as many bytes as can be in flight (the queue and the batch being written).
constexpr std::size_t k_min_spare_text = 64 * 1024;
constexpr std::size_t k_max_spare_bytes = 2 * Reporter::k_max_queued_output;

// Rewrites `text` only when it holds a secret: most texts hold none, and copying every output
// text again would cost as much as scanning it.
void mask_field(std::string& text, const output::PatternMatcher& matcher) {
  if (text.empty()) {
    return;
  }
  const auto ranges = matcher.find(text);
  if (!ranges.empty()) {
    text = output::apply_ranges(text, ranges);
  }
}

}  // namespace

void mask_event(Event& event, const output::Masker& masker) {
  // Output is whole lines: masked line by line, as the step's stream masked it already (this
  // second pass catches a value registered since, and costs one scan when nothing matches).
  mask_field(event.text, event.kind == EventKind::output ? *masker.line_snapshot() : *masker.snapshot());
  const auto matcher = masker.snapshot();
  mask_field(event.job, *matcher);
  mask_field(event.step, *matcher);
  mask_field(event.annotation.file, *matcher);
  mask_field(event.annotation.title, *matcher);
  mask_field(event.annotation.message, *matcher);
}

void TerminalSink::handle(const Event& event) {
  m_text.clear();
  append_terminal(m_text, event, m_color);
  m_out.write(m_text.data(), static_cast<std::streamsize>(m_text.size()));
}

void JsonLinesSink::handle(const Event& event) { m_out << render_json(event) << '\n'; }

void JobLogSink::handle(const Event& event) {
  if (event.job.empty()) {
    record(event, -1);
    return;
  }
  m_text.clear();
  append_log(m_text, event);
  if (m_text.empty()) {  // a step summary: placed where the log is, with no line of its own
    const auto it = m_files.find(event.job);
    record(event, it == m_files.end() ? 0 : static_cast<std::int64_t>(it->second.size));
    return;
  }
  auto [it, inserted] = m_files.try_emplace(event.job);
  if (inserted) {
    std::error_code ec;
    std::filesystem::create_directories(m_dir, ec);
    it->second.file.open(m_dir + "/" + job_log_name(event.job), std::ios::binary | std::ios::app);
  }
  record(event, static_cast<std::int64_t>(it->second.size));
  it->second.file.write(m_text.data(), static_cast<std::streamsize>(m_text.size()));
  it->second.size += m_text.size();
}

// Output is what the job logs hold already: recording it twice would double the cost of a
// chatty step for nothing.
void JobLogSink::record(const Event& event, std::int64_t log_offset) {
  if (event.kind == EventKind::output) {
    return;
  }
  if (!m_events.is_open()) {
    std::error_code ec;
    std::filesystem::create_directories(m_dir, ec);
    m_events.open(m_dir + "/events.jsonl", std::ios::binary | std::ios::app);
  }
  m_events << render_json(event, log_offset) << '\n';
}

void JobLogSink::flush() {
  for (auto& [job, log] : m_files) {
    log.file.flush();
  }
  if (m_events.is_open()) {
    m_events.flush();
  }
}

std::size_t SummaryCollector::job(const std::string& name) {
  for (std::size_t i = 0; i < m_jobs.size(); ++i) {
    if (m_jobs[i].name == name) {
      return i;
    }
  }
  m_jobs.push_back(JobSummary{name, NodeResult::success, {}, {}, {}, {}, {}, {}});
  m_records.push_back(JobRecord{name, NodeResult::success, {}, {}, {}, {}});
  return m_jobs.size() - 1;
}

void SummaryCollector::step_finished(const Event& event, const std::deque<std::string>& tail) {
  const std::size_t i = job(event.job);
  if (event.result == NodeResult::failure) {
    const auto skipped = static_cast<std::ptrdiff_t>(tail.size() - std::min(tail.size(), m_tail_lines));
    m_jobs[i].failed_steps.push_back(FailedStep{event.step, event.result, {tail.begin() + skipped, tail.end()}});
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
      m_jobs[i].environment = m_records[i].environment = event.environment;
      m_jobs[i].environment_url = m_records[i].environment_url = event.environment_url;
      break;
    }
    case EventKind::step_started: tail.clear(); break;
    case EventKind::output:
      // One event may carry thousands of lines: only the last m_kept_lines can stay.
      for_each_last_line(
          event.text, m_kept_lines,
          [&](std::string_view line) {
            if (tail.size() < m_kept_lines) {
              tail.emplace_back(line);
              return;
            }
            std::string oldest = std::move(tail.front());  // its memory holds the new line
            tail.pop_front();
            oldest.assign(line);
            tail.push_back(std::move(oldest));
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

namespace {

std::chrono::milliseconds shortest_refresh(const std::vector<EventSink*>& sinks) {
  std::chrono::milliseconds shortest{0};
  for (const auto* sink : sinks) {
    const auto interval = sink->refresh_interval();
    if (interval.count() > 0 && (shortest.count() == 0 || interval < shortest)) {
      shortest = interval;
    }
  }
  return shortest;
}

}  // namespace

Reporter::Reporter(std::vector<EventSink*> sinks, const output::Masker* masker)
    : m_sinks(std::move(sinks)), m_masker(masker), m_refresh(shortest_refresh(m_sinks)), m_thread([this] { loop(); }) {}

Reporter::~Reporter() { stop(); }

// Only output waits: it is what a step can produce without bound, and the reporter thread
// never posts, so waiting on it cannot deadlock. After stop() nothing drains, so nothing waits.
// Masking here, on the posting thread, is the one place every event passes: no caller can
// forget it, and jobs mask in parallel instead of on the reporter's one thread.
void Reporter::post(Event event) {
  if (m_masker != nullptr) {
    mask_event(event, *m_masker);
  }
  {
    std::unique_lock lock(m_mutex);
    if (event.kind == EventKind::output) {
      m_drained.wait(lock, [this] { return m_stopping || m_queued_output <= k_max_queued_output; });
      m_queued_output += event.text.size();
    }
    m_queue.push_back(std::move(event));
  }
  m_changed.notify_one();
}

void post_notice(Reporter& reporter, const std::string& text, const std::string& job) {
  Event event;
  event.kind = EventKind::notice;
  event.job = job;
  event.text = text;
  reporter.post(std::move(event));
}

void Reporter::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_changed.notify_one();
  m_drained.notify_all();
  if (m_thread.joinable()) {
    m_thread.join();
  }
}

void Reporter::loop() {
  std::unique_lock lock(m_mutex);
  const auto ready = [this] { return m_stopping || !m_queue.empty(); };
  while (true) {
    if (m_refresh.count() == 0) {
      m_changed.wait(lock, ready);
    } else if (!m_changed.wait_for(lock, m_refresh, ready)) {
      refresh(lock);
      continue;
    }
    if (m_queue.empty()) {
      for (auto* sink : m_sinks) {
        sink->finish();
      }
      return;
    }
    // Take the whole batch: posting threads go on while the sinks write it, and wait only once
    // a full queue of output is pending behind it.
    std::deque<Event> batch;
    batch.swap(m_queue);
    m_queued_output = 0;
    lock.unlock();
    m_drained.notify_all();
    for (const auto& event : batch) {
      for (auto* sink : m_sinks) {
        sink->handle(event);
      }
    }
    for (auto* sink : m_sinks) {
      sink->flush();
    }
    lock.lock();
    keep_spare_texts(batch);
  }
}

// A quiet run still moves a live view's clock: the sinks that asked for it are flushed.
void Reporter::refresh(std::unique_lock<std::mutex>& lock) {
  lock.unlock();
  for (auto* sink : m_sinks) {
    if (sink->refresh_interval().count() > 0) {
      sink->flush();
    }
  }
  lock.lock();
}

// Big output texts come back as spare memory for the next ones: allocating them afresh costs a
// page fault per 4 KiB, more than filling them. Together with the queue limit this bounds what
// a chatty step keeps.
void Reporter::keep_spare_texts(std::deque<Event>& batch) {
  for (auto& event : batch) {
    const std::size_t size = event.text.capacity();
    if (event.kind == EventKind::output && size >= k_min_spare_text && m_spare_bytes + size <= k_max_spare_bytes) {
      m_spare_bytes += size;
      m_spare.push_back(std::move(event.text));
    }
  }
}

std::string Reporter::spare_text() {
  std::lock_guard lock(m_mutex);
  if (m_spare.empty()) {
    return {};
  }
  std::string text = std::move(m_spare.back());
  m_spare.pop_back();
  m_spare_bytes -= text.capacity();
  text.clear();
  return text;
}

}  // namespace pipeline::runner::engine
