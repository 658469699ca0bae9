#pragma once
// JUnit XML from a run's events: a <testsuite> per job, a <testcase> per step.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "runner/engine/reporter.hpp"

namespace pipeline::runner::engine {

/// Text made safe for XML content and attributes: markup escaped, characters XML 1.0 forbids
/// and ANSI escapes dropped, invalid UTF-8 replaced with U+FFFD.
[[nodiscard]] std::string xml_text(std::string_view text);

/// The JUnit XML document for `jobs`; totals go on <testsuites>.
[[nodiscard]] std::string render_junit(const std::vector<JobRecord>& jobs, std::chrono::milliseconds run_duration);

}  // namespace pipeline::runner::engine
