// Per-exec overhead of HostBackend::exec against a bare fork/exec/waitpid of `true`.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "runner/backend/host_backend.hpp"

using namespace pipeline::runner;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int k_runs = 200;

class Discard final : public OutputSink {
public:
  void write(Stream /*stream*/, std::string_view /*bytes*/) override {}
};

double raw_ms(const char* program) {
  auto start = Clock::now();
  for (int i = 0; i < k_runs; ++i) {
    pid_t pid = ::fork();
    if (pid == 0) {
      char* argv[] = {const_cast<char*>(program), nullptr};
      char* envp[] = {nullptr};
      ::execve(program, argv, envp);
      ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count() / k_runs;
}

// The same vfork-based spawn the backend uses, without pipes, poll or a new session.
double spawn_ms(const char* program) {
  auto start = Clock::now();
  for (int i = 0; i < k_runs; ++i) {
    char* argv[] = {const_cast<char*>(program), nullptr};
    char* envp[] = {nullptr};
    pid_t pid = 0;
    ::posix_spawn(&pid, program, nullptr, nullptr, argv, envp);
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count() / k_runs;
}

double backend_ms(HostBackend& backend, const JobEnv& env) {
  ExecSpec spec;
  spec.argv = {"true"};
  spec.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}};
  Discard sink;
  auto start = Clock::now();
  for (int i = 0; i < k_runs; ++i) {
    auto status = backend.exec(env, spec, sink);
    if (!status || status->code != 0) {
      std::fprintf(stderr, "exec failed\n");
      std::exit(1);
    }
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count() / k_runs;
}

}  // namespace

int main() {
  HostBackend backend;
  auto env = backend.prepare_job(JobSpec{.run_id = "bench", .job_id = "bench", .workspace = "/tmp"});
  if (!env) {
    std::fprintf(stderr, "prepare_job: %s\n", env.error().message.c_str());
    return 1;
  }
  const char* program = "/usr/bin/true";
  (void)raw_ms(program);  // warm the page cache and the allocator
  (void)backend_ms(backend, *env);
  double raw = raw_ms(program);
  double spawn = spawn_ms(program);
  double ours = backend_ms(backend, *env);
  backend.teardown(*env);
  std::printf("%d execs of true\n", k_runs);
  std::printf("raw fork/exec/waitpid: %.3f ms per exec\n", raw);
  std::printf("raw posix_spawn/waitpid: %.3f ms per exec\n", spawn);
  std::printf("HostBackend::exec:     %.3f ms per exec\n", ours);
  std::printf("overhead vs fork/exec: %.3f ms per exec (ratio %.2f)\n", ours - raw, ours / raw);
  std::printf("overhead vs spawn:     %.3f ms per exec (ratio %.2f)\n", ours - spawn, ours / spawn);
  return 0;
}
