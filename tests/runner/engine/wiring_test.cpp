// The foundations together, as `pipe run` will wire them: scheduler → host backend → scripts
// → reporter (terminal, JSON, job logs, summary) → run record.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runner/backend/host_backend.hpp"
#include "runner/engine/reporter.hpp"
#include "runner/engine/run_record.hpp"
#include "runner/engine/scheduler.hpp"
#include "runner/engine/script.hpp"

using namespace pipeline::runner;
using namespace pipeline::runner::engine;
namespace fs = std::filesystem;

namespace {

/// Splits output into lines for the reporter (the real chain adds commands and masking).
class LinesToReporter final : public OutputSink {
public:
  LinesToReporter(Reporter& reporter, std::string job, std::string step)
      : m_reporter(reporter), m_job(std::move(job)), m_step(std::move(step)) {}
  void write(Stream stream, std::string_view bytes) override {
    m_partial.append(bytes);
    for (auto nl = m_partial.find('\n'); nl != std::string::npos; nl = m_partial.find('\n')) {
      Event e;
      e.kind = EventKind::output;
      e.job = m_job;
      e.step = m_step;
      e.stream = stream;
      e.text = m_partial.substr(0, nl);
      m_reporter.post(std::move(e));
      m_partial.erase(0, nl + 1);
    }
  }

private:
  Reporter& m_reporter;
  std::string m_job;
  std::string m_step;
  std::string m_partial;
};

Event job_event(EventKind kind, const std::string& job, NodeResult result = NodeResult::success) {
  Event e;
  e.kind = kind;
  e.job = job;
  e.result = result;
  return e;
}

}  // namespace

TEST_CASE("jobs run through the scheduler, the host backend and the reporter", "[wiring]") {
  std::string pattern = (fs::temp_directory_path() / "pipe-wiring-XXXXXX").string();
  fs::path root = ::mkdtemp(pattern.data());
  auto record = RunRecord::create((root / ".pipe/runs").string(), make_run_id());
  REQUIRE(record.ok());

  std::ostringstream terminal;
  TerminalSink terminal_sink(terminal, ColorMode::plain);
  JobLogSink logs(record->dir());
  SummaryCollector collector;
  Reporter reporter({&terminal_sink, &logs, &collector});
  HostBackend backend((root / "tmp").string());

  std::map<std::string, std::string> scripts{
      {"build", "echo compiling\necho built > \"$RUNNER_TEMP/out\"\ncat \"$RUNNER_TEMP/out\"\n"},
      {"test", "echo testing\necho 'boom' >&2\nexit 3\n"},
      {"report", "echo reporting\n"}};
  Scheduler scheduler(2);
  auto build = *scheduler.add_node(NodeSpec{"build", {}, "", {}});
  auto test = *scheduler.add_node(NodeSpec{"test", {build}, "", {}});
  (void)*scheduler.add_node(NodeSpec{"report", {build, test}, "", {}});

  auto reports = scheduler.run([&](const NodeContext& node) {
    reporter.post(job_event(EventKind::job_started, node.id));
    auto job = backend.prepare_job(JobSpec{.run_id = record->id(), .job_id = node.id, .workspace = root.string()});
    if (!job) {  // Catch2 assertions are not thread-safe: report through the result instead
      return NodeOutcome{NodeResult::cancelled, {}};
    }
    LinesToReporter sink(reporter, node.id, "Run");
    std::vector<std::pair<std::string, std::string>> env{{"PATH", "/usr/bin:/bin"}, {"RUNNER_TEMP", job->temp_dir}};
    auto status = run_script(backend, *job, ScriptStep{"", scripts[node.id], env}, sink);
    backend.teardown(*job);
    auto result = status.ok() && status->code == 0 ? NodeResult::success : NodeResult::failure;
    Event step = job_event(EventKind::step_finished, node.id, result);
    step.step = "Run";
    reporter.post(step);
    reporter.post(job_event(EventKind::job_finished, node.id, result));
    return NodeOutcome{result, {}};
  });
  reporter.stop();

  CHECK(reports[0].result == NodeResult::success);
  CHECK(reports[1].result == NodeResult::failure);
  CHECK(reports[2].result == NodeResult::success);
  std::string text = terminal.str();
  CHECK(text.find("[build]   | compiling\n") != std::string::npos);
  CHECK(text.find("[build]   | built\n") != std::string::npos);
  CHECK(text.find("[test]   | boom\n") != std::string::npos);
  CHECK(text.find("[test] ✗ Job failed") != std::string::npos);
  CHECK(text.find("[build] ✓ Job succeeded") < text.find("[test] Job started"));

  auto summary = render_summary(collector.summary(std::chrono::milliseconds(1500)), ColorMode::plain);
  CHECK(summary.find("test › Run (failure)\n    | testing\n    | boom\n") != std::string::npos);
  CHECK(summary.find("3 jobs: 1 failed, 2 succeeded in 1.5s\n") != std::string::npos);

  REQUIRE(record->write_run_json(nlohmann::json{{"result", "failure"}}).ok());
  REQUIRE(record->mark_latest().ok());
  auto found = find_run((root / ".pipe/runs").string(), "latest");
  REQUIRE(found.ok());
  CHECK(found->logs == std::vector<std::string>{"build.log", "report.log", "test.log"});
  CHECK(found->result == "failure");
  CHECK_FALSE(fs::exists(backend.run_dir(record->id())));
  fs::remove_all(root);
}
