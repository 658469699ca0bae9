// Measures what the container backend adds over raw Engine API calls (run by hand; needs dockerd
// and pipe-test/busybox:latest from tests/images/build.sh).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/bench_engine.hpp"
#include "bench/bench_timing.hpp"
#include "runner/docker/docker_backend.hpp"
#include "runner/docker/engine_client.hpp"
#include "tests/support/run_process.hpp"

using namespace pipeline::runner;
using namespace pipeline::runner::docker;
using pipeline::bench::elapsed_ms;
using pipeline::bench::median;
using pipeline::bench::NullSink;

namespace {

constexpr const char* k_image = "pipe-test/busybox:latest";

// Alternates the two bodies so a machine whose load drifts affects both alike.
std::pair<double, double> interleaved_medians(int runs, const std::function<bool()>& ours, const std::function<bool()>& raw) {
  std::vector<double> a;
  std::vector<double> b;
  for (int i = 0; i < runs; ++i) {
    a.push_back(elapsed_ms("bench_docker", "a run", ours));
    b.push_back(elapsed_ms("bench_docker", "a run", raw));
  }
  return {median(a), median(b)};
}

void report(const char* what, double ours, double raw) {
  std::printf("%-44s backend %7.1f ms   raw API %7.1f ms   ratio %.2f\n", what, ours, raw, ours / raw);
}

bool raw_exec(EngineClient& client, const std::string& container) {
  NullSink sink;
  auto id = client.create_exec(container, ExecConfig{{"true"}, {}, "", ""});
  return id && client.start_exec(*id, sink, {}) && client.inspect_exec(*id);
}

// The floor a job start is measured against: create, start, one exec, remove, through the API.
bool raw_job(EngineClient& client) {
  const nlohmann::json body{{"Image", k_image}, {"Entrypoint", {"tail"}}, {"Cmd", {"-f", "/dev/null"}},
                            {"HostConfig", {{"Init", true}, {"NetworkMode", "host"}}}};
  auto id = client.create_container(body);
  const bool ok = id && client.start_container(*id) && raw_exec(client, *id);
  return ok && client.remove_container(*id);
}

// `pipe run` of a one-step job, the whole CLI: process start, workflow, run record, container.
void cli_job_start(EngineClient& client, const std::string& workspace) {
#ifdef PIPE_EXE
  std::FILE* file = std::fopen((workspace + "/workflow.yml").c_str(), "w");
  std::fputs("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n", file);
  std::fclose(file);
  for (const char* mode : {"", "--reuse"}) {
    std::vector<std::string> argv{PIPE_EXE, "run", "workflow.yml", "--backend", "docker", "-P",
                                  std::string("ubuntu-latest=") + k_image};
    if (*mode != '\0') {
      argv.emplace_back(mode);
    }
    const auto [cli, raw] = interleaved_medians(15, [&] {
      return pipeline::test::run_process(argv, workspace).exit_code == 0;
    }, [&] { return raw_job(client); });
    report(*mode == '\0' ? "pipe run, one-step job (median of 15)" : "pipe run --reuse, one-step job (median of 15)",
           cli, raw);
  }
  (void)pipeline::test::run_process({PIPE_EXE, "clean"}, workspace);
#else
  (void)client;
  (void)workspace;
#endif
}

JobSpec bench_job(const std::string& workspace) {
  JobSpec spec;
  spec.run_id = "bench";
  spec.job_id = "job";
  spec.display_name = "bench";
  spec.image = k_image;
  spec.workspace = workspace;
  return spec;
}

}  // namespace

int main() {
  auto client = pipeline::bench::open_engine("bench_docker", k_image, "tests/images/build.sh busybox");
  const std::string workspace = std::filesystem::temp_directory_path() / "pipe-bench-ws";
  std::filesystem::create_directories(workspace);
  DockerBackend backend(client, {});
  auto env = backend.prepare_job(bench_job(workspace));
  if (!env) {
    std::fprintf(stderr, "bench_docker: %s\n", env.error().message.c_str());
    return 1;
  }
  NullSink sink;
  const ExecSpec step{{"true"}, {{"CI", "true"}}, workspace, {}, nullptr};
  const auto [ours, raw] = interleaved_medians(
      50, [&] { return backend.exec(*env, step, sink).ok(); }, [&] { return raw_exec(*client, env->id); });
  backend.teardown(*env);
  report("exec `true` (median of 50)", ours, raw);

  const auto [job, raw_job_ms] = interleaved_medians(10, [&] {
    auto prepared = backend.prepare_job(bench_job(workspace));
    const bool ok = prepared && backend.exec(*prepared, step, sink);
    if (prepared) {
      backend.teardown(*prepared);
    }
    return ok;
  }, [&] { return raw_job(*client); });
  report("prepare_job+exec+teardown (median of 10)", job, raw_job_ms);
  cli_job_start(*client, workspace);
  std::error_code ec;
  std::filesystem::remove_all(workspace, ec);
  return 0;
}
