#include "runner/engine/report_junit.hpp"

#include <array>
#include <algorithm>
#include <cstdio>

#include "workflow/base/text_encoding.hpp"

namespace pipeline::runner::engine {
namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD";

std::string seconds(std::chrono::milliseconds duration) {
  std::array<char, 32> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%.3f", static_cast<double>(duration.count()) / 1000.0);
  return buffer.data();
}

// Length of the valid UTF-8 sequence at `i`, or 0 when it is not one.
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > text.size() || (n == 2 && c < 0xC2) || (n == 4 && c > 0xF4)) {
    return 0;
  }
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) {
      return 0;
    }
  }
  const auto c1 = static_cast<unsigned char>(text[i + 1 < text.size() ? i + 1 : i]);
  // Overlong three- and four-byte forms, and UTF-16 surrogates, are not valid UTF-8.
  if ((n == 3 && c == 0xE0 && c1 < 0xA0) || (n == 3 && c == 0xED && c1 >= 0xA0) || (n == 4 && c == 0xF0 && c1 < 0x90) ||
      (n == 4 && c == 0xF4 && c1 >= 0x90)) {
    return 0;
  }
  return n;
}

// Skips an ANSI CSI sequence (ESC [ ... final byte) starting at `i`; returns its length.
std::size_t ansi_length(std::string_view text, std::size_t i) {
  if (i + 1 >= text.size() || text[i + 1] != '[') {
    return 1;
  }
  std::size_t k = i + 2;
  while (k < text.size() && (static_cast<unsigned char>(text[k]) < 0x40 || static_cast<unsigned char>(text[k]) > 0x7E)) {
    ++k;
  }
  return std::min(k + 1, text.size()) - i;
}

// What XML 1.0 allows of `text`: ANSI escapes and control characters dropped, invalid UTF-8 replaced.
std::string xml_characters(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\x1b') {
      i += ansi_length(text, i);
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      ++i;
      continue;
    }
    const std::size_t n = utf8_length(text, i);
    if (n == 0) {
      out += k_replacement;
      ++i;
      continue;
    }
    out.append(text.substr(i, n));
    i += n;
  }
  return out;
}

// The last line that says something: a step's output often ends in an empty line.
std::string failure_message(const StepRecord& step) {
  for (auto line = step.tail.rbegin(); line != step.tail.rend(); ++line) {
    if (line->find_first_not_of(" \t") != std::string::npos) {
      return *line;
    }
  }
  return std::string(to_string(step.result));
}

std::string step_case(const std::string& job, const StepRecord& step) {
  std::string out = "    <testcase classname=\"" + xml_text(job) + "\" name=\"" + xml_text(step.name) +
                    "\" time=\"" + seconds(step.duration) + "\"";
  if (step.result == NodeResult::success) {
    return out + "/>\n";
  }
  out += ">\n";
  if (step.result == NodeResult::skipped) {
    out += "      <skipped/>\n";
  } else {
    const std::string last = failure_message(step);
    out += "      <failure message=\"" + xml_text(last) + "\" type=\"" + std::string(to_string(step.result)) + "\">";
    for (const auto& line : step.tail) {
      out += xml_text(line) + "\n";
    }
    out += "</failure>\n";
  }
  return out + "    </testcase>\n";
}

struct Totals {
  std::size_t tests = 0;
  std::size_t failures = 0;
  std::size_t skipped = 0;
};

Totals count(const std::vector<StepRecord>& steps) {
  Totals t;
  for (const auto& step : steps) {
    ++t.tests;
    t.failures += step.result == NodeResult::failure || step.result == NodeResult::cancelled ? 1 : 0;
    t.skipped += step.result == NodeResult::skipped ? 1 : 0;
  }
  return t;
}

std::string totals_attributes(const Totals& t) {
  return "tests=\"" + std::to_string(t.tests) + "\" failures=\"" + std::to_string(t.failures) +
         "\" errors=\"0\" skipped=\"" + std::to_string(t.skipped) + "\"";
}

// A job that ran no step (skipped, or failed before its first step) still shows as one case.
std::vector<StepRecord> cases_of(const JobRecord& job) {
  if (!job.steps.empty()) {
    return job.steps;
  }
  return {StepRecord{job.name, job.result, job.duration, {}}};
}

}  // namespace

std::string xml_text(std::string_view text) {
  return xml_escape(xml_characters(text));
}

std::string render_junit(const std::vector<JobRecord>& jobs, std::chrono::milliseconds run_duration) {
  Totals all;
  std::string suites;
  for (const auto& job : jobs) {
    const auto cases = cases_of(job);
    const Totals t = count(cases);
    all.tests += t.tests;
    all.failures += t.failures;
    all.skipped += t.skipped;
    suites += "  <testsuite name=\"" + xml_text(job.name) + "\" " + totals_attributes(t) + " time=\"" +
              seconds(job.duration) + "\">\n";
    if (!job.environment.empty()) {
      suites += "    <properties>\n      <property name=\"environment\" value=\"" + xml_text(job.environment) +
                "\"/>\n      <property name=\"environment_url\" value=\"" + xml_text(job.environment_url) +
                "\"/>\n    </properties>\n";
    }
    for (const auto& step : cases) {
      suites += step_case(job.name, step);
    }
    suites += "  </testsuite>\n";
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"pipe\" " + totals_attributes(all) +
         " time=\"" + seconds(run_duration) + "\">\n" + suites + "</testsuites>\n";
}

}  // namespace pipeline::runner::engine
