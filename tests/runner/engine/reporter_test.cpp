// The reporter thread: ordering per job, whole lines from parallel jobs, log files, summary.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "runner/engine/reporter.hpp"

using namespace pipeline::runner;
using namespace pipeline::runner::engine;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

Event line(const std::string& job, const std::string& text) {
  Event e;
  e.kind = EventKind::output;
  e.job = job;
  e.step = "s";
  e.text = text;
  return e;
}

Event step(EventKind kind, const std::string& job, const std::string& name, NodeResult result = NodeResult::success) {
  Event e;
  e.kind = kind;
  e.job = job;
  e.step = name;
  e.result = result;
  return e;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    lines.push_back(l);
  }
  return lines;
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("lines from parallel jobs never interleave and keep their order", "[reporter]") {
  std::ostringstream terminal;
  TerminalSink sink(terminal, ColorMode::plain);
  {
    Reporter reporter({&sink});
    std::vector<std::thread> jobs;
    for (int j = 0; j < 4; ++j) {
      jobs.emplace_back([&reporter, j] {
        for (int i = 0; i < 500; ++i) {
          reporter.post(line("job" + std::to_string(j), "line " + std::to_string(i) + std::string(50, 'x')));
        }
      });
    }
    for (auto& t : jobs) {
      t.join();
    }
  }
  auto lines = lines_of(terminal.str());
  REQUIRE(lines.size() == 2000);
  std::map<std::string, int> next;
  for (const auto& l : lines) {
    auto close = l.find("]   | line ");
    REQUIRE(close != std::string::npos);
    std::string job = l.substr(1, close - 1);
    int number = std::stoi(l.substr(close + 11));
    CHECK(number == next[job]);
    next[job] = number + 1;
    CHECK(l.size() == close + 11 + std::to_string(number).size() + 50);
  }
}

TEST_CASE("JSON lines mode writes one object per event", "[reporter]") {
  std::ostringstream out;
  JsonLinesSink sink(out);
  {
    Reporter reporter({&sink});
    reporter.post(step(EventKind::step_started, "build", "Compile"));
    reporter.post(line("build", "ok"));
  }
  auto lines = lines_of(out.str());
  REQUIRE(lines.size() == 2);
  CHECK(nlohmann::json::parse(lines[0])["type"] == "step_started");
  CHECK(nlohmann::json::parse(lines[1])["text"] == "ok");
}

TEST_CASE("each job gets its own log file", "[reporter]") {
  std::string pattern = (fs::temp_directory_path() / "pipe-log-XXXXXX").string();
  fs::path dir = ::mkdtemp(pattern.data());
  {
    JobLogSink sink(dir.string());
    Reporter reporter({&sink});
    reporter.post(line("build", "b1"));
    reporter.post(line("test (linux, 18)", "t1"));
    reporter.post(line("build", "b2"));
  }
  auto build = lines_of(read_all(dir / "build.log"));
  REQUIRE(build.size() == 2);
  CHECK(build[0].substr(24) == " b1");
  CHECK(build[1].substr(24) == " b2");
  CHECK(fs::exists(dir / "test__linux__18_.log"));
  fs::remove_all(dir);
}

TEST_CASE("the summary collector keeps failed steps' last lines, annotations and summaries", "[reporter]") {
  SummaryCollector collector;
  {
    Reporter reporter({&collector});
    Event started;
    started.kind = EventKind::job_started;
    started.job = "test";
    reporter.post(started);
    reporter.post(step(EventKind::step_started, "test", "ok step"));
    reporter.post(line("test", "noise"));
    reporter.post(step(EventKind::step_finished, "test", "ok step"));
    reporter.post(step(EventKind::step_started, "test", "bad step"));
    for (int i = 0; i < 30; ++i) {
      reporter.post(line("test", "out " + std::to_string(i)));
    }
    reporter.post(step(EventKind::step_finished, "test", "bad step", NodeResult::failure));
    Event a;
    a.kind = EventKind::annotation;
    a.job = "test";
    a.annotation = Annotation{AnnotationLevel::error, "f.c", 1, 0, "", "m"};
    reporter.post(a);
    Event md;
    md.kind = EventKind::step_summary;
    md.job = "test";
    md.text = "# ok\n";
    reporter.post(md);
    Event done = step(EventKind::job_finished, "test", "", NodeResult::failure);
    done.duration = 2s;
    reporter.post(done);
  }
  auto summary = collector.summary(3s);
  REQUIRE(summary.jobs.size() == 1);
  const auto& job = summary.jobs[0];
  CHECK(job.result == NodeResult::failure);
  CHECK(job.duration == 2s);
  REQUIRE(job.failed_steps.size() == 1);
  CHECK(job.failed_steps[0].name == "bad step");
  REQUIRE(job.failed_steps[0].tail.size() == SummaryCollector::k_tail_lines);
  CHECK(job.failed_steps[0].tail.front() == "out 10");
  CHECK(job.failed_steps[0].tail.back() == "out 29");
  REQUIRE(job.annotations.size() == 1);
  CHECK(job.annotations[0].message == "m");
  CHECK(job.step_summaries == std::vector<std::string>{"# ok\n"});
}

TEST_CASE("the summary tail takes the last lines of large batched events", "[reporter]") {
  SummaryCollector collector(3);
  {
    Reporter reporter({&collector});
    reporter.post(step(EventKind::step_started, "j", "s"));
    std::string batch;
    for (int i = 0; i < 1000; ++i) {
      batch += "out " + std::to_string(i) + "\n";
    }
    reporter.post(line("j", batch));
    reporter.post(line("j", "last\r\n\n"));
    reporter.post(step(EventKind::step_finished, "j", "s", NodeResult::failure));
  }
  const auto summary = collector.summary(1s);
  REQUIRE(summary.jobs.size() == 1);
  REQUIRE(summary.jobs[0].failed_steps.size() == 1);
  CHECK(summary.jobs[0].failed_steps[0].tail == std::vector<std::string>{"out 999", "last", ""});
}

namespace {

// A sink that holds the reporter thread until released, counting output bytes it saw.
class GateSink final : public EventSink {
public:
  void handle(const Event& event) override {
    std::unique_lock lock(m_mutex);
    m_open.wait(lock, [this] { return m_released; });
    m_bytes += event.text.size();
  }
  void release() {
    {
      std::lock_guard lock(m_mutex);
      m_released = true;
    }
    m_open.notify_all();
  }
  std::size_t bytes() {
    std::lock_guard lock(m_mutex);
    return m_bytes;
  }

private:
  std::mutex m_mutex;
  std::condition_variable m_open;
  bool m_released = false;
  std::size_t m_bytes = 0;
};

}  // namespace

TEST_CASE("posting output waits while too much of it is queued, and goes on once it is taken", "[reporter]") {
  GateSink gate;
  Reporter reporter({&gate});
  const std::string chunk(1024 * 1024, 'x');
  const std::size_t chunks = 2 * Reporter::k_max_queued_output / chunk.size() + 4;
  std::atomic<std::size_t> posted{0};
  std::thread poster([&] {
    for (std::size_t i = 0; i < chunks; ++i) {
      reporter.post(line("j", chunk));
      ++posted;
    }
  });
  std::this_thread::sleep_for(200ms);
  // The batch held in the gate and the queue each take at most the limit and one event more.
  CHECK(posted.load() < chunks);
  CHECK(posted.load() * chunk.size() <= 2 * (Reporter::k_max_queued_output + chunk.size()));
  gate.release();
  poster.join();
  reporter.stop();
  CHECK(gate.bytes() == chunks * chunk.size());
}

TEST_CASE("delivered output texts come back as spare memory", "[reporter]") {
  std::ostringstream out;
  TerminalSink sink(out, ColorMode::plain);
  Reporter reporter({&sink});
  CHECK(reporter.spare_text().capacity() < 64 * 1024);
  reporter.post(line("j", std::string(100 * 1024, 'y') + "\n"));
  std::string spare;
  for (int i = 0; i < 100 && spare.capacity() < 100 * 1024; ++i) {
    std::this_thread::sleep_for(10ms);
    spare = reporter.spare_text();
  }
  CHECK(spare.empty());
  CHECK(spare.capacity() >= 100 * 1024);
  reporter.stop();
  CHECK(out.str().size() == 100 * 1024 + std::string("[j]   | \n").size());
}

TEST_CASE("stop delivers everything queued and can be called twice", "[reporter]") {
  std::ostringstream out;
  TerminalSink sink(out, ColorMode::plain);
  Reporter reporter({&sink});
  for (int i = 0; i < 100; ++i) {
    reporter.post(line("j", std::to_string(i)));
  }
  reporter.stop();
  reporter.stop();
  CHECK(lines_of(out.str()).size() == 100);
}

TEST_CASE("a reporter with a masker masks every text of every event before any sink sees it", "[reporter][secrets]") {
  output::Masker masker;
  REQUIRE(masker.add_secret("hunter2-secret") == output::AddResult::added);
  std::ostringstream terminal;
  std::ostringstream json;
  TerminalSink terminal_sink(terminal, ColorMode::plain);
  JsonLinesSink json_sink(json);
  {
    Reporter reporter({&terminal_sink, &json_sink}, &masker);
    reporter.post(step(EventKind::job_started, "job hunter2-secret", ""));
    reporter.post(step(EventKind::step_started, "job hunter2-secret", "step hunter2-secret"));
    reporter.post(line("job hunter2-secret", "out hunter2-secret\n"));
    Event notice;
    notice.kind = EventKind::notice;
    notice.job = "job hunter2-secret";
    notice.text = "skipped: if: x == 'hunter2-secret' was false";
    reporter.post(notice);
    Event annotation;
    annotation.kind = EventKind::annotation;
    annotation.job = "job hunter2-secret";
    annotation.annotation.title = "title hunter2-secret";
    annotation.annotation.message = "message hunter2-secret";
    annotation.annotation.file = "hunter2-secret.txt";
    reporter.post(annotation);
  }
  INFO(terminal.str() << json.str());
  CHECK(terminal.str().find("hunter2") == std::string::npos);
  CHECK(json.str().find("hunter2") == std::string::npos);
  CHECK_THAT(terminal.str(), Catch::Contains("[job ***]") && Catch::Contains("x == '***'"));
}

TEST_CASE("one collector keeps the summary's short tail and the step records' long one", "[reporter]") {
  SummaryCollector collector;
  {
    Reporter reporter({&collector});
    reporter.post(step(EventKind::step_started, "j", "s"));
    std::string batch;
    for (int i = 0; i < 60; ++i) {
      batch += "out " + std::to_string(i) + "\n";
    }
    reporter.post(line("j", batch));
    reporter.post(step(EventKind::step_finished, "j", "s", NodeResult::failure));
  }
  const auto summary = collector.summary(1s);
  REQUIRE(summary.jobs.size() == 1);
  REQUIRE(summary.jobs[0].failed_steps.size() == 1);
  const auto& short_tail = summary.jobs[0].failed_steps[0].tail;
  REQUIRE(short_tail.size() == SummaryCollector::k_tail_lines);
  CHECK(short_tail.front() == "out 40");
  CHECK(short_tail.back() == "out 59");
  REQUIRE(collector.jobs().size() == 1);
  const auto& long_tail = collector.jobs()[0].steps.at(0).tail;
  REQUIRE(long_tail.size() == SummaryCollector::k_record_tail_lines);
  CHECK(long_tail.front() == "out 10");
  CHECK(long_tail.back() == "out 59");
}
