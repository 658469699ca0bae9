// What a job's start costs when it takes a warm container against creating and starting its own,
// measured in the same run (run by hand; needs dockerd and pipe-test/runner:bookworm from
// tests/images/build.sh). A job's start is prepare_job and its first step (`true`): a warm
// container has its step agent running already. Prints ratios, asserts nothing.
#include <chrono>
#include <cstdio>
#include <optional>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bench/bench_engine.hpp"
#include "bench/bench_timing.hpp"
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
constexpr int k_rounds = 12;

JobSpec bench_job(const std::string& workspace, int warm_ahead) {
  JobSpec spec;
  spec.run_id = "bench-warm";
  spec.job_id = "job";
  spec.display_name = "bench";
  spec.image = k_image;
  spec.workspace = workspace;
  if (warm_ahead > 0) {
    spec.jobs_to_come = [warm_ahead] { return warm_ahead; };
  }
  return spec;
}

// prepare_job, then the first step: a job is started once a step has run in it.
bool start_job(DockerBackend& backend, const std::string& workspace, std::optional<JobEnv>& env, double& prepare_ms) {
  NullSink sink;
  const auto start = std::chrono::steady_clock::now();
  auto prepared = backend.prepare_job(bench_job(workspace, 0));
  prepare_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!prepared) {
    std::fprintf(stderr, "bench_warm: %s\n", prepared.error().message.c_str());
    return false;
  }
  env = *prepared;
  auto ran = backend.exec(*env, ExecSpec{{"true"}, {{"PATH", "/usr/bin:/bin"}}, workspace, {}, nullptr}, sink);
  return ran && ran->code == 0;
}

}  // namespace

int main() {
  auto client = pipeline::bench::open_engine("bench_warm", k_image, "tests/images/build.sh");
  const std::string workspace = fs::temp_directory_path() / "pipe-bench-warm-ws";
  fs::create_directories(workspace);
  DockerBackend backend(client, {});
  std::vector<double> cold, warm, cold_prepare, warm_prepare;
  for (int round = 0; round < k_rounds; ++round) {
    std::optional<JobEnv> env;
    double prepare = 0;
    // Cold: the job creates and starts its container.
    cold.push_back(elapsed_ms("bench_warm", "a cold start", [&] { return start_job(backend, workspace, env, prepare); }));
    cold_prepare.push_back(prepare);
    backend.teardown(*env);
    // Warm: a job that says one more like it follows leaves a started container behind.
    auto seed = backend.prepare_job(bench_job(workspace, 1));
    if (!seed) {
      std::fprintf(stderr, "bench_warm: %s\n", seed.error().message.c_str());
      return 1;
    }
    backend.teardown(*seed);
    backend.wait_warm();
    warm.push_back(elapsed_ms("bench_warm", "a warm start", [&] { return start_job(backend, workspace, env, prepare); }));
    warm_prepare.push_back(prepare);
    if (env->temp_dir.find("/warm-") == std::string::npos) {
      std::fprintf(stderr, "bench_warm: the job did not take the warm container\n");
      return 1;
    }
    backend.teardown(*env);
  }
  std::printf("job start (prepare_job + first step `true`), %s, median of %d:\n", k_image, k_rounds);
  std::printf("  create + start (floor)      %7.2f ms   (prepare_job alone %7.2f ms)\n", median(cold), median(cold_prepare));
  std::printf("  warm container              %7.2f ms   (prepare_job alone %7.2f ms)\n", median(warm), median(warm_prepare));
  std::printf("  warm / create+start         %5.2fx   (prepare_job alone %5.2fx)\n", median(warm) / median(cold),
              median(warm_prepare) / median(cold_prepare));
  std::error_code ec;
  fs::remove_all(workspace, ec);
  return 0;
}
