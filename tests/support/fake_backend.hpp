#pragma once
// A Backend that runs nothing: scripted steps, an in-memory file system and a record of every
// call, so the job engine can be driven in-process with exact assertions (ninja's
// FakeCommandRunner and VirtualFileSystem are the pattern). Time is virtual: a step "takes" its
// scripted duration, so a step timeout happens at once; only waiting for cancellation blocks.
#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runner/backend/backend.hpp"
#include "runner/backend/container_actions.hpp"

namespace pipeline::test {

using FakeEnv = std::vector<std::pair<std::string, std::string>>;

/// What one scripted step does when its script runs.
struct FakeStep {
  int exit_code = 0;
  std::string out;      // written to standard output
  std::string err;      // written to standard error
  FakeEnv outputs;      // appended to $GITHUB_OUTPUT as name=value lines
  FakeEnv env;          // appended to $GITHUB_ENV as name=value lines
  std::chrono::milliseconds duration{0};  // virtual: longer than the exec's timeout times it out
  bool until_cancelled = false;           // blocks until the exec's cancel token fires
  std::function<void()> on_start;         // called when the step starts (e.g. to interrupt the run)
};

/// One process the fake ran.
struct FakeExec {
  std::string job_id;   // the JobSpec's job_id
  std::string script;   // the script text as the engine wrote it
  FakeEnv env;          // the complete environment it got
  std::string cwd;
  runner::ExitStatus status;
};

/// One container a Docker action ran through ContainerActions.
struct FakeContainer {
  std::string image;
  std::vector<std::string> args;
  FakeEnv env;
};

/// The exit code a process stopped by a timeout or a cancel reports (killed by SIGTERM).
inline constexpr int k_fake_stopped_code = 143;

/// A Backend and ContainerActions whose steps are scripted by their script text.
class FakeBackend final : public runner::Backend, public runner::ContainerActions {
public:
  /// Steps whose script text (trailing whitespace aside) equals `script` behave as `step`;
  /// any other script succeeds with no output.
  void on(const std::string& script, FakeStep step) {
    std::lock_guard lock(m_mutex);
    m_steps[script] = std::move(step);
  }

  /// Every exec so far, in the order they started.
  [[nodiscard]] std::vector<FakeExec> execs() const {
    std::lock_guard lock(m_mutex);
    return m_execs;
  }
  /// Every job prepared so far, in order.
  [[nodiscard]] std::vector<runner::JobSpec> jobs() const {
    std::lock_guard lock(m_mutex);
    return m_jobs;
  }
  /// The job ids torn down so far, in order.
  [[nodiscard]] std::vector<std::string> torn_down() const {
    std::lock_guard lock(m_mutex);
    return m_torn_down;
  }
  /// The containers Docker actions ran.
  [[nodiscard]] std::vector<FakeContainer> containers() const {
    std::lock_guard lock(m_mutex);
    return m_containers;
  }
  /// A file of the virtual file system; nullopt when absent.
  [[nodiscard]] std::optional<std::string> file(const std::string& path) const {
    std::lock_guard lock(m_mutex);
    auto it = m_files.find(path);
    return it == m_files.end() ? std::nullopt : std::optional<std::string>(it->second);
  }

  [[nodiscard]] std::string name() const override { return "fake"; }

  [[nodiscard]] Result<runner::JobEnv> prepare_job(const runner::JobSpec& spec) override {
    std::lock_guard lock(m_mutex);
    m_jobs.push_back(spec);
    runner::JobEnv env;
    env.id = spec.job_id;
    env.workspace = spec.workspace;
    env.temp_dir = "/fake/" + spec.job_id + "/temp";
    env.tool_cache = "/fake/" + spec.job_id + "/tool_cache";
    return env;
  }

  [[nodiscard]] Result<runner::ExitStatus> exec(const runner::JobEnv& env, const runner::ExecSpec& spec,
                                                runner::OutputSink& sink) override {
    FakeExec record{env.id, script_of(spec.argv), spec.env, spec.cwd, {}};
    FakeStep step = scripted(record.script);
    if (step.on_start) {
      step.on_start();
    }
    record.status = finish(step, spec);
    if (!record.status.timed_out && !record.status.cancelled) {
      write_streams(step, sink);
      append_file_command(spec.env, "GITHUB_OUTPUT", step.outputs);
      append_file_command(spec.env, "GITHUB_ENV", step.env);
    }
    std::lock_guard lock(m_mutex);
    m_execs.push_back(std::move(record));
    return m_execs.back().status;
  }

  [[nodiscard]] Result<std::string> read_file(const runner::JobEnv&, const std::string& path) override {
    auto content = file(path);
    if (!content) {
      return Error{"no such file: " + path};
    }
    return *content;
  }

  [[nodiscard]] Result<void> write_file(const runner::JobEnv&, const std::string& path, std::string_view content,
                                        int) override {
    std::lock_guard lock(m_mutex);
    m_files[path] = std::string(content);
    return {};
  }

  void teardown(const runner::JobEnv& env) override {
    std::lock_guard lock(m_mutex);
    m_torn_down.push_back(env.id);
  }

  [[nodiscard]] Result<void> ensure_image(const std::string&,
                                          const std::optional<std::pair<std::string, std::string>>&) override {
    return {};
  }
  [[nodiscard]] Result<void> ensure_built_image(const std::string&, const std::string&, const std::string&,
                                                const runner::BuildOutput&) override {
    return {};
  }
  [[nodiscard]] Result<runner::ExitStatus> run_container(const runner::JobEnv&, const runner::ContainerRun& run,
                                                         runner::OutputSink&) override {
    std::lock_guard lock(m_mutex);
    m_containers.push_back({run.image, run.args, run.env});
    return runner::ExitStatus{};
  }
  [[nodiscard]] std::string host_gateway() override { return {}; }

private:
  // The script is the argument that names a file the engine wrote (shells take it last, or as {0}).
  std::string script_of(const std::vector<std::string>& argv) const {
    std::lock_guard lock(m_mutex);
    for (const auto& arg : argv) {
      if (auto it = m_files.find(arg); it != m_files.end()) {
        return it->second;
      }
    }
    return {};
  }

  FakeStep scripted(const std::string& script) const {
    std::string key = script;
    while (!key.empty() && (key.back() == '\n' || key.back() == ' ')) {
      key.pop_back();
    }
    std::lock_guard lock(m_mutex);
    auto it = m_steps.find(key);
    return it == m_steps.end() ? FakeStep{} : it->second;
  }

  static runner::ExitStatus finish(const FakeStep& step, const runner::ExecSpec& spec) {
    if (step.until_cancelled && spec.cancel) {
      while (!spec.cancel->wait_for(std::chrono::seconds(1))) {
      }
      return {k_fake_stopped_code, false, true};
    }
    if (spec.timeout.count() > 0 && step.duration > spec.timeout) {
      return {k_fake_stopped_code, true, false};
    }
    return {step.exit_code, false, false};
  }

  static void write_streams(const FakeStep& step, runner::OutputSink& sink) {
    if (!step.out.empty()) {
      sink.write(runner::Stream::out, step.out);
    }
    if (!step.err.empty()) {
      sink.write(runner::Stream::err, step.err);
    }
  }

  void append_file_command(const FakeEnv& env, const std::string& name, const FakeEnv& lines) {
    auto it = std::find_if(env.begin(), env.end(), [&](const auto& kv) { return kv.first == name; });
    if (it == env.end() || lines.empty()) {
      return;
    }
    std::lock_guard lock(m_mutex);
    for (const auto& [key, value] : lines) {
      m_files[it->second] += key + "=" + value + "\n";
    }
  }

  mutable std::mutex m_mutex;
  std::map<std::string, FakeStep> m_steps;
  std::map<std::string, std::string> m_files;
  std::vector<FakeExec> m_execs;
  std::vector<runner::JobSpec> m_jobs;
  std::vector<std::string> m_torn_down;
  std::vector<FakeContainer> m_containers;
};

}  // namespace pipeline::test
