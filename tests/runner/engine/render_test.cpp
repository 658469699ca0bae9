// Rendering goldens: terminal lines, JSON events, log lines and the final summary.
#include <catch2/catch.hpp>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "runner/engine/render.hpp"
#include "runner/engine/terminal_mode.hpp"

using namespace pipeline::runner;
using namespace pipeline::runner::engine;
using namespace std::chrono_literals;

namespace {

// 2026-11-22T02:31:21.123Z
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

Event finished(EventKind kind, std::string job, std::string step, NodeResult result, std::chrono::milliseconds d) {
  Event e = event(kind, std::move(job), std::move(step));
  e.result = result;
  e.duration = d;
  return e;
}

Event annotation(std::string job, Annotation a) {
  Event e = event(EventKind::annotation, std::move(job));
  e.annotation = std::move(a);
  return e;
}

}  // namespace

TEST_CASE("durations read like a person would write them", "[render]") {
  struct Row {
    long long ms;
    std::string text;
  };
  auto row = GENERATE(Row{0, "0ms"}, Row{850, "850ms"}, Row{999, "999ms"}, Row{1000, "1.0s"}, Row{1234, "1.2s"},
                      Row{59'949, "59.9s"}, Row{59'950, "1m 00s"}, Row{61'000, "1m 01s"}, Row{3'599'000, "59m 59s"},
                      Row{3'720'000, "1h 02m"}, Row{-5, "0ms"});
  CHECK(format_duration(std::chrono::milliseconds(row.ms)) == row.text);
}

TEST_CASE("times are UTC with milliseconds", "[render]") {
  CHECK(format_time(k_time) == "2026-11-22T02:31:21.123Z");
}

TEST_CASE("annotations read file:line: message", "[render]") {
  CHECK(format_annotation({AnnotationLevel::error, "src/a.c", 12, 0, "", "boom"}) == "error src/a.c:12: boom");
  CHECK(format_annotation({AnnotationLevel::warning, "a.py", 3, 7, "Lint", "unused"}) ==
        "warning a.py:3:7: Lint: unused");
  CHECK(format_annotation({AnnotationLevel::notice, "", 0, 0, "", "hello"}) == "notice: hello");
  CHECK(format_annotation({AnnotationLevel::error, "f", 0, 0, "", "m"}) == "error f: m");
}

TEST_CASE("terminal lines without color", "[render]") {
  struct Row {
    Event event;
    std::string text;
  };
  auto row = GENERATE(
      Row{event(EventKind::job_started, "build"), "[build] Job started\n"},
      Row{event(EventKind::step_started, "build", "Run make"), "[build] ▶ Run make\n"},
      Row{event(EventKind::output, "build", "Run make", "cc -c a.c\n"), "[build]   | cc -c a.c\n"},
      Row{event(EventKind::output, "build", "Run make", "crlf\r\n"), "[build]   | crlf\n"},
      Row{finished(EventKind::step_finished, "build", "Run make", NodeResult::success, 1234ms),
          "[build] ✓ Run make (1.2s)\n"},
      Row{finished(EventKind::step_finished, "build", "Test", NodeResult::failure, 80ms), "[build] ✗ Test (80ms)\n"},
      Row{finished(EventKind::step_finished, "build", "Deploy", NodeResult::skipped, 0ms),
          "[build] - Deploy (skipped)\n"},
      Row{finished(EventKind::step_finished, "build", "Wait", NodeResult::cancelled, 5ms),
          "[build] ⊘ Wait (cancelled)\n"},
      Row{finished(EventKind::job_finished, "build", "", NodeResult::success, 3400ms),
          "[build] ✓ Job succeeded (3.4s)\n"},
      Row{finished(EventKind::job_finished, "test (1)", "", NodeResult::failure, 61'000ms),
          "[test (1)] ✗ Job failed (1m 01s)\n"},
      Row{annotation("build", {AnnotationLevel::error, "a.c", 2, 0, "", "bad"}), "[build] error a.c:2: bad\n"},
      Row{event(EventKind::group_start, "build", "Run make", "Compile"), "[build] ▼ Compile\n"},
      Row{event(EventKind::group_end, "build", "Run make"), ""},
      Row{event(EventKind::step_summary, "build", "Run make", "# Hi\n"), ""},
      Row{event(EventKind::notice, "", "", "Starting run 20261122-023121-ab12"), "Starting run 20261122-023121-ab12\n"});
  CHECK(render_terminal(row.event, ColorMode::plain) == row.text);
}

TEST_CASE("terminal prefixes get a stable color per job", "[render]") {
  auto line = render_terminal(event(EventKind::notice, "build", "", "hi"), ColorMode::ansi);
  CHECK(line == "\x1b[95m[build]\x1b[0m hi\n");
  CHECK(job_color("build") == job_color("build"));
  CHECK(job_color("build") < k_palette_size);
  auto ok = render_terminal(finished(EventKind::step_finished, "build", "s", NodeResult::success, 5ms), ColorMode::ansi);
  CHECK(ok == "\x1b[95m[build]\x1b[0m \x1b[32m✓\x1b[0m s (5ms)\n");
}

TEST_CASE("NO_COLOR and non-terminals get plain text", "[render]") {
  ::setenv("NO_COLOR", "1", 1);
  CHECK(detect_color_mode(1) == ColorMode::plain);
  ::unsetenv("NO_COLOR");
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  CHECK(detect_color_mode(fds[1]) == ColorMode::plain);
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_CASE("JSON events carry type, job, step and time", "[render]") {
  auto out = event(EventKind::output, "build", "Run make", "hello \"x\"");
  out.stream = Stream::err;
  CHECK(render_json(out) ==
        R"({"job":"build","schema":1,"step":"Run make","stream":"stderr","text":"hello \"x\"","time":"2026-11-22T02:31:21.123Z","type":"output"})");
  CHECK(render_json(finished(EventKind::job_finished, "build", "", NodeResult::failure, 1500ms)) ==
        R"({"duration_ms":1500,"job":"build","result":"failure","schema":1,"time":"2026-11-22T02:31:21.123Z","type":"job_finished"})");
  CHECK(render_json(annotation("b", {AnnotationLevel::warning, "x.c", 4, 2, "T", "m"})) ==
        R"({"column":2,"file":"x.c","job":"b","level":"warning","line":4,"message":"m","schema":1,"time":"2026-11-22T02:31:21.123Z","title":"T","type":"annotation"})");
  auto invalid = render_json(event(EventKind::output, "b", "s", std::string("bad \xff byte")));
  CHECK(nlohmann::json::parse(invalid)["text"] == "bad \xEF\xBF\xBD byte");
}

TEST_CASE("log lines are timestamped plain text", "[render]") {
  CHECK(render_log(event(EventKind::output, "build", "s", "line")) == "2026-11-22T02:31:21.123Z line\n");
  CHECK(render_log(event(EventKind::step_started, "build", "Run make")) == "2026-11-22T02:31:21.123Z ▶ Run make\n");
  CHECK(render_log(event(EventKind::group_start, "build", "s", "Compile")) ==
        "2026-11-22T02:31:21.123Z ##[group]Compile\n");
  CHECK(render_log(event(EventKind::group_end, "build", "s")) == "2026-11-22T02:31:21.123Z ##[endgroup]\n");
}

TEST_CASE("the final summary", "[render]") {
  RunSummary summary;
  summary.duration = 16'400ms;
  summary.jobs.push_back(JobSummary{"build", NodeResult::success, 12'300ms, {}, {}, {"## Coverage\n\n| a | b |\n"}});
  summary.jobs.push_back(JobSummary{"test (linux)",
                                    NodeResult::failure,
                                    4'100ms,
                                    {FailedStep{"Run tests", NodeResult::failure, {"FAIL a_test", "1 of 3 failed"}}},
                                    {Annotation{AnnotationLevel::error, "t/a_test.c", 12, 0, "", "expected 1"}},
                                    {}});
  summary.jobs.push_back(JobSummary{"deploy", NodeResult::skipped, 0ms, {}, {}, {}});
  const std::string expected =
      "Summary\n"
      "  ✓ build         success    12.3s\n"
      "  ✗ test (linux)  failure    4.1s\n"
      "  - deploy        skipped\n"
      "\n"
      "test (linux) › Run tests (failure)\n"
      "    | FAIL a_test\n"
      "    | 1 of 3 failed\n"
      "\n"
      "Annotations\n"
      "  test (linux): error t/a_test.c:12: expected 1\n"
      "\n"
      "Step summary: build\n"
      "## Coverage\n"
      "\n"
      "| a | b |\n"
      "\n"
      "3 jobs: 1 failed, 1 succeeded, 1 skipped in 16.4s\n";
  CHECK(render_summary(summary, ColorMode::plain) == expected);
}

TEST_CASE("a summary of one successful job", "[render]") {
  RunSummary summary{{JobSummary{"only", NodeResult::success, 900ms, {}, {}, {}}}, 1000ms};
  CHECK(render_summary(summary, ColorMode::plain) == "Summary\n  ✓ only  success    900ms\n\n1 job: 1 succeeded in 1.0s\n");
}

TEST_CASE("an output event's lines: one optional last line end, empty lines kept", "[render]") {
  struct Row {
    std::string text;
    std::vector<std::string> lines;
  };
  const std::vector<Row> rows{
      {"", {""}},
      {"\n", {""}},
      {"a", {"a"}},
      {"a\n", {"a"}},
      {"a\r\n", {"a"}},
      {"a\n\n", {"a", ""}},
      {"a\n\n\n", {"a", "", ""}},
      {"\n\na\n", {"", "", "a"}},
      {"a\r\nb\r\n", {"a", "b"}},
  };
  for (const auto& row : rows) {
    std::vector<std::string> lines;
    for_each_line(row.text, [&](std::string_view l) { lines.emplace_back(l); }, CarriageReturn::drop);
    CAPTURE(row.text);
    CHECK(lines == row.lines);
    // The last n of them, for every n, without reading the rest.
    for (std::size_t n = 0; n <= row.lines.size() + 1; ++n) {
      std::vector<std::string> last;
      for_each_last_line(row.text, n, [&](std::string_view l) { last.emplace_back(l); }, CarriageReturn::drop);
      const std::size_t keep = std::min(n, row.lines.size());
      CAPTURE(n);
      CHECK(last == std::vector<std::string>(row.lines.end() - static_cast<std::ptrdiff_t>(keep), row.lines.end()));
    }
  }
}

TEST_CASE("a batch of output lines renders every line, trailing empty ones too", "[render]") {
  const auto batch = event(EventKind::output, "build", "s", "one\n\ntwo\n\n\n");
  CHECK(render_terminal(batch, ColorMode::plain) == "[build]   | one\n[build]   | \n[build]   | two\n[build]   | \n[build]   | \n");
  CHECK(render_log(batch) ==
        "2026-11-22T02:31:21.123Z one\n2026-11-22T02:31:21.123Z \n2026-11-22T02:31:21.123Z two\n"
        "2026-11-22T02:31:21.123Z \n2026-11-22T02:31:21.123Z \n");
  std::string reused = "old";
  reused.clear();
  append_terminal(reused, batch, ColorMode::plain);
  append_log(reused, event(EventKind::group_end, "build"));
  CHECK(reused == render_terminal(batch, ColorMode::plain) + "2026-11-22T02:31:21.123Z ##[endgroup]\n");
}

TEST_CASE("a batch of output lines is one JSON object per line", "[render]") {
  auto batch = event(EventKind::output, "build", "s", "one\n\"two\"\n");
  batch.stream = Stream::err;
  auto one = event(EventKind::output, "build", "s", "one");
  one.stream = Stream::err;
  auto two = event(EventKind::output, "build", "s", "\"two\"");
  two.stream = Stream::err;
  CHECK(render_json(batch) == render_json(one) + "\n" + render_json(two));
}
