// `pipe logs --json` reads back what `pipe run --json` streamed: the record's events.jsonl and
// the job logs give the same events, in the same order, less each output line's stream.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runner/engine/log_events.hpp"
#include "runner/engine/reporter.hpp"
#include "support/temp_dir.hpp"

using namespace pipeline::runner;
using namespace pipeline::runner::engine;
using nlohmann::json;

namespace {

const auto k_time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795314681123LL));

Event event(EventKind kind, std::string job, std::string step = {}, std::string text = {}) {
  Event e;
  e.kind = kind;
  e.job = std::move(job);
  e.step = std::move(step);
  e.text = std::move(text);
  e.time = k_time;
  return e;
}

std::vector<std::string> streamed(const std::vector<Event>& events, const std::string& job) {
  std::vector<std::string> out;
  for (const auto& e : events) {
    if (e.job != job) {
      continue;
    }
    std::istringstream lines(render_json(e));
    for (std::string line; std::getline(lines, line);) {
      auto parsed = json::parse(line);
      parsed.erase("stream");
      out.push_back(parsed.dump());
    }
  }
  return out;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("a recorded run reads back as the events pipe run --json streamed", "[logs][json]") {
  pipeline::test::TempDir dir("log-events");
  Event finished = event(EventKind::step_finished, "build", "Compile");
  finished.duration = std::chrono::milliseconds(1200);
  Annotation warning{AnnotationLevel::warning, "a.c", 3, 1, "", "unused"};
  Event annotated = event(EventKind::annotation, "build", "Compile");
  annotated.annotation = warning;
  const std::vector<Event> events{
      event(EventKind::notice, "", "", "Starting run"),
      event(EventKind::job_started, "build"),
      event(EventKind::step_started, "build", "Compile"),
      event(EventKind::output, "build", "Compile", "▶ looks like a step line\nsecond\n"),
      event(EventKind::group_start, "build", "Compile", "Details"),
      event(EventKind::output, "build", "Compile", "inside"),
      event(EventKind::group_end, "build", "Compile"),
      annotated,
      event(EventKind::step_summary, "build", "Compile", "# Title\n"),
      finished,
      event(EventKind::job_started, "test (1)"),
      event(EventKind::output, "test (1)", "", "from test"),
      event(EventKind::job_finished, "build"),
  };
  {
    JobLogSink sink(dir.path.string());
    Reporter reporter({&sink});
    for (const auto& e : events) {
      reporter.post(e);
    }
  }
  const auto recorded = read_recorded_events(dir.path.string());
  REQUIRE(job_of_log(recorded, "build.log") == "build");
  REQUIRE(job_of_log(recorded, "test__1_.log") == "test (1)");
  const auto build = job_log_events(read_all(dir.path.string() + "/build.log"), "build", recorded);
  const auto expected = streamed(events, "build");
  REQUIRE(build.size() == expected.size());
  for (std::size_t i = 0; i < build.size(); ++i) {
    CHECK(json::parse(build[i]) == json::parse(expected[i]));
  }
  const auto test = job_log_events(read_all(dir.path.string() + "/test__1_.log"), "test (1)", recorded);
  REQUIRE(test.size() == 2);
  CHECK(json::parse(test[1])["text"] == "from test");
  const auto run = run_events(recorded);
  REQUIRE(run.size() == 1);
  CHECK(json::parse(run[0]) == json::parse(render_json(events[0])));
}

TEST_CASE("a record without events.jsonl reads back as output lines", "[logs][json]") {
  const auto events = job_log_events("2026-11-22T02:31:21.123Z hello\n", "build", {});
  REQUIRE(events.size() == 1);
  CHECK(json::parse(events[0]) ==
        json{{"schema", 1}, {"type", "output"}, {"job", "build"}, {"time", "2026-11-22T02:31:21.123Z"}, {"text", "hello"}});
}
