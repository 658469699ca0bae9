#pragma once
// JUnit XML from a run's events: a <testsuite> per job, a <testcase> per step.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "runner/engine/reporter.hpp"

namespace pipeline::runner::engine {

/// The JUnit report's collector: a SummaryCollector that keeps more of each failed step.
class StepRecorder final : public SummaryCollector {
public:
  /// How many output lines a failed step keeps.
  static constexpr std::size_t k_tail_lines = 50;

  StepRecorder() : SummaryCollector(k_tail_lines) {}
};

/// Text made safe for XML content and attributes: markup escaped, characters XML 1.0 forbids
/// and ANSI escapes dropped, invalid UTF-8 replaced with U+FFFD.
[[nodiscard]] std::string xml_text(std::string_view text);

/// The JUnit XML document for `jobs`; totals go on <testsuites>.
[[nodiscard]] std::string render_junit(const std::vector<JobRecord>& jobs, std::chrono::milliseconds run_duration);

}  // namespace pipeline::runner::engine
