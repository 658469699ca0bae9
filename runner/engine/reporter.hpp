#pragma once
// The reporter: one thread owns the terminal and every other event destination.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "runner/engine/event.hpp"
#include "runner/engine/render.hpp"
#include "runner/output/masker.hpp"

namespace pipeline::runner::engine {

/// A destination of events; only the reporter thread calls it.
class EventSink {
public:
  virtual ~EventSink() = default;
  /// Handles one event.
  virtual void handle(const Event& event) = 0;
  /// Called after each batch of events (flush buffered output here).
  virtual void flush() {}
  /// Called once when the reporter stops, after the last event (print what is still held back).
  virtual void finish() {}
  /// How often flush() is wanted while no event arrives (a spinner's clock); zero: never.
  [[nodiscard]] virtual std::chrono::milliseconds refresh_interval() const { return std::chrono::milliseconds{0}; }
};

/// Human-readable lines with a `[job] ` prefix, colored per job when `color` says so.
class TerminalSink final : public EventSink {
public:
  TerminalSink(std::ostream& out, ColorMode color) : m_out(out), m_color(color) {}
  void handle(const Event& event) override;
  void flush() override { m_out.flush(); }

private:
  std::ostream& m_out;
  ColorMode m_color;
  std::string m_text;  // reused for every event: output batches are large
};

/// One JSON object per event and line (`--json`).
class JsonLinesSink final : public EventSink {
public:
  explicit JsonLinesSink(std::ostream& out) : m_out(out) {}
  void handle(const Event& event) override;
  void flush() override { m_out.flush(); }

private:
  std::ostream& m_out;
};

/// One plain-text log file per job, `<dir>/<job>.log` (see job_log_name), and `<dir>/events.jsonl`:
/// every event but output as JSON (render_json), each job event with the byte offset of its own
/// line in the job's log (`log_offset`), so `pipe logs --json` can put the output lines back
/// between them.
class JobLogSink final : public EventSink {
public:
  explicit JobLogSink(std::string dir) : m_dir(std::move(dir)) {}
  void handle(const Event& event) override;
  void flush() override;

private:
  struct JobLog {
    std::ofstream file;
    std::uint64_t size = 0;  // bytes written
  };

  void record(const Event& event, std::int64_t log_offset);

  std::string m_dir;
  std::map<std::string, JobLog> m_files;
  std::ofstream m_events;  // events.jsonl, opened with the first event
  std::string m_text;  // reused for every event: output batches are large
};

/// One step as a report shows it.
struct StepRecord {
  std::string name;
  NodeResult result = NodeResult::success;
  std::chrono::milliseconds duration{0};
  std::vector<std::string> tail;  // last output lines, for failed or cancelled steps
};

/// One job and its steps, in the order they ended.
struct JobRecord {
  std::string name;
  NodeResult result = NodeResult::success;
  std::chrono::milliseconds duration{0};
  std::vector<StepRecord> steps;
  std::string environment;      // the deployment environment, if any
  std::string environment_url;  // its url, if any
};

/// Builds the final summary, and a record of every job's steps (for reports), from the events
/// it sees: the one collector of a run.
class SummaryCollector final : public EventSink {
public:
  /// How many lines of a failed step's output the summary keeps by default.
  static constexpr std::size_t k_tail_lines = 20;
  /// How many lines of a failed step's output the step records keep by default (JUnit shows more).
  static constexpr std::size_t k_record_tail_lines = 50;

  /// Keeps the last `tail_lines` output lines of each failed step for the summary and the last
  /// `record_tail_lines` (at least as many) for the step records.
  explicit SummaryCollector(std::size_t tail_lines = k_tail_lines, std::size_t record_tail_lines = k_record_tail_lines)
      : m_tail_lines(tail_lines), m_kept_lines(std::max(tail_lines, record_tail_lines)) {}

  void handle(const Event& event) override;
  /// The summary so far (call after Reporter::stop for the final one).
  [[nodiscard]] RunSummary summary(std::chrono::milliseconds run_duration) const;
  /// The jobs seen so far with every step, first started first (call after Reporter::stop).
  [[nodiscard]] const std::vector<JobRecord>& jobs() const { return m_records; }

private:
  std::size_t job(const std::string& name);
  void step_finished(const Event& event, const std::deque<std::string>& tail);

  std::size_t m_tail_lines;
  std::size_t m_kept_lines;  // per step while it runs: the longer of the two tails
  std::vector<JobSummary> m_jobs;
  std::vector<JobRecord> m_records;                        // parallel to m_jobs
  std::map<std::string, std::deque<std::string>> m_tails;  // job -> the current step's last lines
};

/// Replaces every registered secret in each text an event carries (text, job and step names,
/// annotation fields) with `***`. Output texts are masked as whole lines.
void mask_event(Event& event, const output::Masker& masker);

/// Queues events from any thread and hands them, in order, to its sinks on its own thread.
class Reporter {
public:
  /// How many bytes of output text may wait in the queue before post() waits for the sinks.
  static constexpr std::size_t k_max_queued_output = 1024 * 1024;

  /// Starts the reporter thread; the sinks (and the masker) must outlive the reporter. With a
  /// masker, every event is masked as it is posted: no sink ever sees a registered secret.
  explicit Reporter(std::vector<EventSink*> sinks, const output::Masker* masker = nullptr);
  Reporter(const Reporter&) = delete;
  Reporter& operator=(const Reporter&) = delete;
  ~Reporter();

  /// Masks `event` (see mask_event) and queues it. Blocks only while more than k_max_queued_output bytes of output wait, so
  /// a step printing faster than the sinks take it is slowed down instead of filling memory.
  void post(Event event);
  /// Delivers everything queued, then stops the thread. Idempotent.
  void stop();
  /// An empty string with the memory of an output text already delivered, if one is spare.
  [[nodiscard]] std::string spare_text();

private:
  void loop();
  void refresh(std::unique_lock<std::mutex>& lock);
  void keep_spare_texts(std::deque<Event>& batch);

  std::vector<EventSink*> m_sinks;
  const output::Masker* m_masker;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::condition_variable m_drained;  // the queue was taken: posters may go on
  std::deque<Event> m_queue;
  std::size_t m_queued_output = 0;  // bytes of output text in m_queue
  std::vector<std::string> m_spare;  // delivered output texts, for spare_text()
  std::size_t m_spare_bytes = 0;     // their capacity
  bool m_stopping = false;
  std::chrono::milliseconds m_refresh{0};  // the shortest refresh_interval of the sinks; zero: none
  std::thread m_thread;
};

/// Posts pipe's own message about a job (or about the run when `job` is empty).
void post_notice(Reporter& reporter, const std::string& text, const std::string& job = {});

}  // namespace pipeline::runner::engine
