#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "runner/docker/docker_backend.hpp"
#include "runner/docker/engine_client.hpp"
#include "support/docker_engine.hpp"
#include "support/split_sink.hpp"

using namespace pipeline::runner;
using namespace pipeline::runner::docker;
using namespace pipeline::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr const char* k_busybox = "pipe-test/busybox:latest";
constexpr const char* k_runner = "pipe-test/runner:bookworm";

std::string unique_run() {
  return unique_name("agent");
}

struct Workspace : HostDir {
  Workspace() : HostDir("agent-ws") {}
};

// A directory for the backend's host dirs outside /tmp (where tests mount over the container's /tmp).
struct HostRoot : HostDir {
  HostRoot() : HostDir("agent-root", "/var/tmp") {}
};

JobSpec job(const std::string& image, const fs::path& workspace, const std::string& options = "") {
  JobSpec spec;
  spec.run_id = unique_run();
  spec.job_id = "job";
  spec.display_name = "job";
  spec.image = image;
  spec.workspace = workspace.string();
  spec.use_host_network = false;
  spec.options = options;
  return spec;
}

// What runs a step: the command line of the step shell's parent.
std::string step_parent(DockerBackend& backend, const JobEnv& env) {
  SplitSink sink;
  auto status = backend.exec(env, shell("tr '\\0' ' ' </proc/$PPID/cmdline"), sink);
  REQUIRE(status.ok());
  return sink.out;
}

// Runs the test body, then tears the job down however the body ended.
struct Job {
  Job(DockerBackend& backend_, const JobSpec& spec) : backend(backend_), env(backend_.prepare_job(spec)) {}
  ~Job() {
    if (env) {
      backend.teardown(*env);
    }
  }
  DockerBackend& backend;
  pipeline::Result<JobEnv> env;
};

}  // namespace

TEST_CASE("container steps run as children of pipe-agent, or of the engine with the agent off", "[docker][agent]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  Workspace workspace;
  SECTION("agent on: copied into /tmp and started once") {
    DockerBackend backend(client, {});
    Job job1(backend, job(k_busybox, workspace.path));
    INFO((job1.env.ok() ? std::string() : job1.env.error().message));
  REQUIRE(job1.env.ok());
    CHECK(step_parent(backend, *job1.env) == "/tmp/pipe-agent ");
    SplitSink sink;
    REQUIRE(backend.exec(*job1.env, shell("echo $PPID"), sink).ok());
    SplitSink again;
    REQUIRE(backend.exec(*job1.env, shell("echo $PPID"), again).ok());
    CHECK(sink.out == again.out);  // the same agent serves step after step
  }
  SECTION("agent off: one exec per step") {
    DockerBackendOptions options;
    options.agent = StepAgentMode::off;
    DockerBackend backend(client, options);
    Job job1(backend, job(k_busybox, workspace.path));
    INFO((job1.env.ok() ? std::string() : job1.env.error().message));
  REQUIRE(job1.env.ok());
    CHECK(step_parent(backend, *job1.env).find("pipe-agent") == std::string::npos);
  }
}

TEST_CASE("a step that kills the agent fails clearly, and the next step starts a fresh agent", "[docker][agent]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  Workspace workspace;
  DockerBackend backend(client, {});
  Job job1(backend, job(k_busybox, workspace.path));
  INFO((job1.env.ok() ? std::string() : job1.env.error().message));
  REQUIRE(job1.env.ok());
  SplitSink killer;
  // The pause lets the agent forward "before" first: a SIGKILL'd agent loses what it had not sent.
  auto killed = backend.exec(*job1.env, shell("echo before; sleep 1; kill -9 $PPID; sleep 5"), killer);
  REQUIRE_FALSE(killed.ok());
  CHECK_THAT(killed.error().message, Catch::Contains("the step agent stopped while running the step"));
  CHECK(killer.out == "before\n");
  SplitSink next;
  auto status = backend.exec(*job1.env, shell("echo next; exit 4"), next);
  REQUIRE(status.ok());
  CHECK(status->code == 4);
  CHECK(next.out == "next\n");
  CHECK(step_parent(backend, *job1.env) == "/tmp/pipe-agent ");
}

// Runs a command as root straight through the engine, around the backend (and its agent).
void raw_root_exec(EngineClient& client, const JobEnv& env, const std::string& script) {
  SplitSink sink;
  auto id = client.create_exec(env.id, ExecConfig{{"sh", "-c", script}, {}, "", "0"});
  REQUIRE(id.ok());
  REQUIRE(client.start_exec(*id, sink, {}).ok());
  auto info = client.inspect_exec(*id);
  REQUIRE(info.ok());
  INFO(sink.out + sink.err);
  REQUIRE(info->exit_code == 0);
}

TEST_CASE("with a noexec /tmp the agent runs from the job's mounted host directory", "[docker][agent]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  std::vector<std::string> notices;
  DockerBackendOptions options;
  options.on_status = [&](const std::string& message) { notices.push_back(message); };
  // The job's host directory lies outside /tmp, so the noexec tmpfs mounted on /tmp cannot hide it.
  const HostRoot root;
  options.temp_root = root.path.string();
  DockerBackend backend(client, options);
  Job job1(backend, job(k_busybox, root.path, "--cap-add SYS_ADMIN"));  // the test mounts
  INFO((job1.env.ok() ? std::string() : job1.env.error().message));
  REQUIRE(job1.env.ok());
  raw_root_exec(*client, *job1.env, "mount -t tmpfs -o noexec tmpfs /tmp");
  const std::string agent = fs::path(job1.env->host_temp_dir).parent_path().string() + "/pipe-agent ";
  CHECK(step_parent(backend, *job1.env) == agent);
  SplitSink sink;
  auto status = backend.exec(*job1.env, shell("echo works; exit 2"), sink);
  REQUIRE(status.ok());
  CHECK(status->code == 2);
  CHECK(sink.out == "works\n");
  INFO((notices.empty() ? std::string() : notices[0]));
  CHECK(notices.empty());  // a second place worked: nothing to tell
}

TEST_CASE("where no agent can run, steps run as one exec each after one notice", "[docker][agent]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  std::vector<std::string> notices;
  DockerBackendOptions options;
  options.on_status = [&](const std::string& message) { notices.push_back(message); };
  // The job's host directory lies outside /tmp, so the noexec tmpfs mounted on /tmp cannot hide it.
  const HostRoot root;
  options.temp_root = root.path.string();
  DockerBackend backend(client, options);
  Job job1(backend, job(k_busybox, root.path, "--cap-add SYS_ADMIN"));
  INFO((job1.env.ok() ? std::string() : job1.env.error().message));
  REQUIRE(job1.env.ok());
  const std::string host_dir = fs::path(job1.env->host_temp_dir).parent_path().string();
  raw_root_exec(*client, *job1.env, "mount -t tmpfs -o noexec tmpfs /tmp && mount -o remount,bind,noexec " + host_dir);
  CHECK(step_parent(backend, *job1.env).find("pipe-agent") == std::string::npos);
  SplitSink sink;
  auto status = backend.exec(*job1.env, shell("echo works; exit 2"), sink);
  REQUIRE(status.ok());
  CHECK(status->code == 2);
  CHECK(sink.out == "works\n");
  REQUIRE(notices.size() == 1);
  CHECK_THAT(notices[0], Catch::StartsWith("the step agent cannot run in container " + job1.env->id.substr(0, 12)) &&
                             Catch::EndsWith("; its steps run as one exec each"));
}

TEST_CASE("the agent passes every byte of both streams through unchanged", "[docker][agent]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  Workspace workspace;
  DockerBackend backend(client, {});
  Job job1(backend, job(k_busybox, workspace.path));
  INFO((job1.env.ok() ? std::string() : job1.env.error().message));
  REQUIRE(job1.env.ok());
  // Every byte value, then 4 MiB with no line ends, on stdout; a NUL-laden mix on stderr.
  SplitSink sink;
  auto status = backend.exec(
      *job1.env,
      shell("i=0; while [ $i -lt 256 ]; do printf \"\\\\$(printf %o $i)\"; i=$((i+1)); done;"
            "head -c 4194304 /dev/zero | tr '\\0' 'x'; printf 'e\\000r\\r\\n\\377' >&2"),
      sink);
  REQUIRE(status.ok());
  CHECK(status->code == 0);
  std::string every_byte;
  for (int i = 0; i < 256; ++i) {
    every_byte.push_back(static_cast<char>(i));
  }
  REQUIRE(sink.out.size() == 256 + 4194304);
  CHECK(sink.out.substr(0, 256) == every_byte);
  CHECK(sink.out.find_first_not_of('x', 256) == std::string::npos);
  CHECK(sink.err == std::string("e\0r\r\n\xff", 6));
}

TEST_CASE("through the agent a timeout and a cancel end the step's tree, and the agent serves on", "[docker][agent]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  Workspace workspace;
  DockerBackend backend(client, {});
  Job job1(backend, job(k_busybox, workspace.path));
  INFO((job1.env.ok() ? std::string() : job1.env.error().message));
  REQUIRE(job1.env.ok());
  auto sleepers = [&] {
    SplitSink ps;
    REQUIRE(backend.exec(*job1.env, shell("ps -o stat,args | grep -v '^Z' | grep -c '[s]leep 3[01]' || true"), ps).ok());
    return ps.out;
  };
  SECTION("timeout") {
    // One sleeper leaves the process group: the step's marker still finds it.
    ExecSpec spec = shell("(setsid sleep 31 &); sleep 30 & echo started; wait");
    spec.timeout = 300ms;
    SplitSink sink;
    auto status = backend.exec(*job1.env, spec, sink);
    REQUIRE(status.ok());
    CHECK(status->timed_out);
    CHECK_FALSE(status->cancelled);
    CHECK(sink.out == "started\n");
    CHECK(sleepers() == "0\n");
  }
  SECTION("cancel") {
    pipeline::CancelToken token;
    ExecSpec spec = shell("echo started; touch started.flag; sleep 30");
    spec.cwd = workspace.path.string();
    spec.cancel = &token;
    std::thread canceller([&] {
      for (int i = 0; i < 600 && !fs::exists(workspace.path / "started.flag"); ++i) {
        std::this_thread::sleep_for(50ms);
      }
      token.cancel();
    });
    SplitSink sink;
    auto status = backend.exec(*job1.env, spec, sink);
    canceller.join();
    REQUIRE(status.ok());
    CHECK(status->cancelled);
    CHECK_FALSE(status->timed_out);
    CHECK(sink.out == "started\n");
    CHECK(sleepers() == "0\n");
  }
  SplitSink next;
  REQUIRE(backend.exec(*job1.env, shell("echo next"), next).ok());
  CHECK(next.out == "next\n");
}

TEST_CASE("with options --user the agent and its steps run as that user", "[docker][agent]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_runner);
  Workspace workspace;
  DockerBackend backend(client, {});
  Job job1(backend, job(k_runner, workspace.path, "--user 1001:1001"));
  INFO((job1.env.ok() ? std::string() : job1.env.error().message));
  REQUIRE(job1.env.ok());
  SplitSink sink;
  auto status = backend.exec(*job1.env, shell("id -u; id -g; stat -c %u /proc/$PPID"), sink);
  REQUIRE(status.ok());
  CHECK(sink.out == "1001\n1001\n1001\n");
  CHECK(step_parent(backend, *job1.env) == "/tmp/pipe-agent ");
}
