#pragma once
// JUnit XML from a run's events: a <testsuite> per job, a <testcase> per step.
#include <chrono>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "runner/engine/reporter.hpp"

namespace pipeline::runner::engine {

/// One step as a report shows it.
struct StepRecord {
  std::string name;
  NodeResult result = NodeResult::success;
  std::chrono::milliseconds duration{0};
  std::vector<std::string> tail;  // last output lines, for failed steps
};

/// One job and its steps, in the order they ended.
struct JobRecord {
  std::string name;
  NodeResult result = NodeResult::success;
  std::chrono::milliseconds duration{0};
  std::vector<StepRecord> steps;
};

/// Records every job's steps from the (already masked) events it sees.
class StepRecorder final : public EventSink {
public:
  /// How many output lines a failed step keeps.
  static constexpr std::size_t k_tail_lines = 50;

  void handle(const Event& event) override;
  /// The jobs seen so far, first started first (call after Reporter::stop).
  [[nodiscard]] const std::vector<JobRecord>& jobs() const { return m_jobs; }

private:
  JobRecord& job(const std::string& name);

  std::vector<JobRecord> m_jobs;
  std::map<std::string, std::deque<std::string>> m_tails;
};

/// Text made safe for XML content and attributes: markup escaped, characters XML 1.0 forbids
/// and ANSI escapes dropped, invalid UTF-8 replaced with U+FFFD.
[[nodiscard]] std::string xml_escape(std::string_view text);

/// The JUnit XML document for `jobs`; totals go on <testsuites>.
[[nodiscard]] std::string render_junit(const std::vector<JobRecord>& jobs, std::chrono::milliseconds run_duration);

}  // namespace pipeline::runner::engine
