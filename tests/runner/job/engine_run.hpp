#pragma once
// Runs a workflow through the real `pipe run` engine with every job on a FakeBackend, and turns
// the run's JSON events into a transcript of stable lines for exact assertions.
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "runner/job/run.hpp"
#include "support/fake_backend.hpp"
#include "support/temp_dir.hpp"

namespace pipeline::test {

/// How one in-process run ended.
struct EngineRun {
  int exit_code = 0;
  runner::job::RunResult result;  // what the run returned
  std::string transcript;  // one line per event: "<type> <job>[ / <step>][: <text or result>]"
};

/// One event of `--json` as a transcript line; times and durations are left out.
inline std::string transcript_line(const nlohmann::json& event) {
  std::string line = event.value("type", "");
  if (line == "output" && event.value("stream", "") == "stderr") {
    line = "stderr";
  }
  line += " " + event.value("job", "");
  if (event.contains("step")) {
    line += " / " + event["step"].get<std::string>();
  }
  if (event.contains("result")) {
    line += ": " + event["result"].get<std::string>();
  } else if (event.contains("message")) {
    line += ": " + event.value("level", "") + " " + event["message"].get<std::string>();
  } else if (event.contains("text")) {
    line += ": " + event["text"].get<std::string>();
  }
  return line + "\n";
}

/// Runs `workflow_yaml` (one workflow, every job selected) with one job at a time on `fake`.
inline EngineRun run_on_fake(FakeBackend& fake, const std::string& workflow_yaml,
                             runner::engine::Interruption& interruption,
                             const std::function<void(runner::job::RunOptions&)>& adjust = {}) {
  TempDir dir("engine");
  std::ofstream(dir.path / "ci.yml") << workflow_yaml;
  runner::job::RunOptions options;
  options.directory = dir.path.string();
  options.workflows = {"ci.yml"};
  options.backend = runner::job::BackendChoice::host;
  options.selection = runner::job::WorkflowSelection::all;
  options.changed_files = std::vector<std::string>{};
  options.parallel = 1;
  options.json = true;
  if (adjust) {
    adjust(options);
  }
  std::ostringstream captured;
  auto* saved = std::cout.rdbuf(captured.rdbuf());
  auto ran = runner::job::run(options, interruption, {&fake, &fake});
  std::cout.rdbuf(saved);
  EngineRun result{ran.exit_code(), std::move(ran), {}};
  std::istringstream lines(captured.str());
  for (std::string line; std::getline(lines, line);) {
    result.transcript += transcript_line(nlohmann::json::parse(line));
  }
  return result;
}

/// The same, with an interruption nobody triggers.
inline EngineRun run_on_fake(FakeBackend& fake, const std::string& workflow_yaml,
                             const std::function<void(runner::job::RunOptions&)>& adjust = {}) {
  runner::engine::Interruption interruption;
  return run_on_fake(fake, workflow_yaml, interruption, adjust);
}

/// The scripts the fake ran, one per line, in order.
inline std::string scripts(const FakeBackend& fake) {
  std::string out;
  for (const auto& exec : fake.execs()) {
    out += exec.job_id.substr(0, exec.job_id.rfind('-')) + ": " + exec.script + "\n";
  }
  return out;
}

}  // namespace pipeline::test
