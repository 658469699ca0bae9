// What a container step costs on top of the host's floor, through pipe-agent and as one engine
// exec per step, measured in the same run (run by hand; needs dockerd and
// pipe-test/runner:bookworm from tests/images/build.sh). Prints ratios, asserts nothing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "bench/bench_engine.hpp"
#include "bench/bench_timing.hpp"
#include "runner/backend/process.hpp"
#include "runner/docker/docker_backend.hpp"
#include "runner/docker/engine_client.hpp"

using namespace pipeline::runner;
using namespace pipeline::runner::docker;
namespace fs = std::filesystem;
using pipeline::bench::elapsed_ms;
using pipeline::bench::median;
using pipeline::bench::NullSink;

namespace {

constexpr const char* k_image = "pipe-test/runner:bookworm";
constexpr int k_rounds = 40;

// Runs every body once per round, in turn, so load that drifts affects all alike.
std::vector<double> interleaved_medians(const std::vector<std::function<bool()>>& bodies) {
  std::vector<std::vector<double>> times(bodies.size());
  for (int round = 0; round < k_rounds; ++round) {
    for (std::size_t i = 0; i < bodies.size(); ++i) {
      times[i].push_back(elapsed_ms("bench_agent", "a step", bodies[i]));
    }
  }
  std::vector<double> medians;
  for (auto& list : times) {
    medians.push_back(median(list));
  }
  return medians;
}

JobSpec bench_job(const std::string& workspace) {
  JobSpec spec;
  spec.run_id = "bench-agent";
  spec.job_id = "job";
  spec.display_name = "bench";
  spec.image = k_image;
  spec.workspace = workspace;
  return spec;
}

// A step as the engine runs one: a script file under bash, like `shell: bash`.
ExecSpec script_step(const std::string& script, const std::string& cwd) {
  return ExecSpec{{"bash", "--noprofile", "--norc", "-eo", "pipefail", script}, {{"CI", "true"}, {"PATH", "/usr/local/bin:/usr/bin:/bin"}}, cwd, {}, nullptr};
}

bool raw_exec(EngineClient& client, const std::string& container, const std::string& script) {
  NullSink sink;
  auto id = client.create_exec(container, ExecConfig{{"bash", "--noprofile", "--norc", "-eo", "pipefail", script}, {}, "", ""});
  return id && client.start_exec(*id, sink, {}) && client.inspect_exec(*id);
}

}  // namespace

int main() {
  auto client = pipeline::bench::open_engine("bench_agent", k_image, "tests/images/build.sh");
  const std::string workspace = fs::temp_directory_path() / "pipe-bench-agent-ws";
  fs::create_directories(workspace);
  const std::string script = workspace + "/step.sh";
  std::ofstream(script) << "true\n";
  DockerBackendOptions no_agent;
  no_agent.agent = StepAgentMode::off;
  DockerBackend with_agent_backend(client, {});
  DockerBackend exec_backend(client, no_agent);
  auto agent_env = with_agent_backend.prepare_job(bench_job(workspace));
  auto exec_env = exec_backend.prepare_job(bench_job(workspace));
  if (!agent_env || !exec_env) {
    std::fprintf(stderr, "bench_agent: cannot prepare the job containers\n");
    return 1;
  }
  NullSink sink;
  const ExecSpec step = script_step(script, workspace);
  (void)with_agent_backend.exec(*agent_env, step, sink);  // the agent's start is the job's, not a step's
  const auto medians = interleaved_medians({
      [&] { return run_process(step, sink).ok(); },
      [&] { return with_agent_backend.exec(*agent_env, step, sink).ok(); },
      [&] { return exec_backend.exec(*exec_env, step, sink).ok(); },
      [&] { return raw_exec(*client, exec_env->id, script); },
  });
  CollectSink rss;
  (void)with_agent_backend.exec(*agent_env, ExecSpec{{"sh", "-c", "grep VmRSS /proc/$PPID/status"}, {}, "/", {}, nullptr}, rss);
  with_agent_backend.teardown(*agent_env);
  exec_backend.teardown(*exec_env);
  const double floor = medians[0];
  std::printf("per-step cost, `bash --noprofile --norc -eo pipefail step.sh`, median of %d:\n", k_rounds);
  std::printf("  host bash (floor)           %7.2f ms\n", floor);
  std::printf("  container, pipe-agent       %7.2f ms   %5.2fx the floor\n", medians[1], medians[1] / floor);
  std::printf("  container, exec per step    %7.2f ms   %5.2fx the floor\n", medians[2], medians[2] / floor);
  std::printf("  container, raw API exec     %7.2f ms   %5.2fx the floor\n", medians[3], medians[3] / floor);
  std::printf("  agent / exec per step       %5.2fx\n", medians[1] / medians[2]);
  std::printf("pipe-agent resident size: %s", rss.out.empty() ? "unknown\n" : rss.out.c_str());
  std::error_code ec;
  fs::remove_all(workspace, ec);
  return 0;
}
