// Signals and a closed standard output through the real `pipe run`: each cancels the run like
// Ctrl-C, `if: always()` steps still run, nothing the run created stays, and the exit code
// names the cause (128 + the signal).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "runner/docker/engine_client.hpp"
#include "support/child_process.hpp"
#include "support/files.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using pipeline::test::ChildStreams;
using pipeline::test::open_log;
using pipeline::test::PseudoTerminal;
using pipeline::test::read_file;
using pipeline::test::spawn_child;
using pipeline::test::TempDir;
using pipeline::test::wait_child;
using pipeline::test::wait_for_file;
using pipeline::test::write_file;

namespace {

constexpr const char* k_busybox = "pipe-test/busybox:latest";

// A step that says it started, then prints a line now and then until it is cancelled; the
// always() step leaves a file behind, the step after it must not run.
constexpr const char* k_workflow = R"(on: push
jobs:
  wait:
    runs-on: ubuntu-latest
    steps:
      - run: |
          touch "$GITHUB_WORKSPACE/started"
          while true; do echo tick; sleep 1; done
      - if: always()
        run: echo "cleanup ran" > "$GITHUB_WORKSPACE/cleanup-ran"
      - run: touch "$GITHUB_WORKSPACE/never"
)";

enum class Backend { host, docker };

/// A scratch repository holding the workflow, and the pipe command line for one backend.
struct SignalCase {
  TempDir dir{"signals"};
  Backend backend;
  // In a container the job is a `container:` job, so the run also has a network to remove.
  explicit SignalCase(Backend b) : backend(b) {
    std::string text = k_workflow;
    if (backend == Backend::docker) {
      const std::string runs_on = "    runs-on: ubuntu-latest\n";
      text.insert(text.find(runs_on) + runs_on.size(), std::string("    container: ") + k_busybox + "\n");
    }
    write_file(dir.path / "workflow.yml", text);
  }

  [[nodiscard]] std::vector<std::string> argv() const {
    std::vector<std::string> args{PIPE_EXE, "run", "workflow.yml", "--backend"};
    if (backend == Backend::host) {
      args.emplace_back("host");
    } else {
      args.emplace_back("docker");
    }
    return args;
  }

  [[nodiscard]] nlohmann::json run_record() const {
    return nlohmann::json::parse(read_file(dir.path / ".pipe" / "runs" / "latest" / "run.json"));
  }
};

/// Why a docker case cannot run here, or empty.
std::string docker_missing() {
  auto client = pipeline::runner::docker::EngineClient::connect_from_environment();
  if (!client) {
    return "skipped: no Docker engine answers (.ci/setup starts one)";
  }
  auto image = (*client)->image_exists(k_busybox);
  if (!image || !*image) {
    return std::string("skipped: image ") + k_busybox + " is missing (run tests/images/build.sh)";
  }
  return {};
}

/// What a cancelled run must leave: the cleanup step's file, not the later step's, the job
/// cancelled in the record with the exit code, and no container or network of the run.
void check_cancelled(const SignalCase& c, int exit_code, int expected) {
  INFO(read_file(c.dir.path / "err.txt"));
  CHECK(exit_code == expected);
  CHECK(read_file(c.dir.path / "cleanup-ran") == "cleanup ran\n");
  CHECK_FALSE(fs::exists(c.dir.path / "never"));
  const auto record = c.run_record();
  CHECK(record["exit_code"] == expected);
  CHECK(record["result"] == "cancelled");
  REQUIRE(record["jobs"].size() == 1);
  CHECK(record["jobs"][0]["result"] == "cancelled");
  // The job log still has everything, the lines the closed output never showed included.
  CHECK_THAT(read_file(c.dir.path / ".pipe" / "runs" / "latest" / "wait.log"), Catch::Contains("cleanup ran"));
  if (c.backend == Backend::docker) {
    auto client = pipeline::runner::docker::EngineClient::connect_from_environment();
    REQUIRE(client);
    const std::string label = "pipe.run=" + record["id"].get<std::string>();
    CHECK((*client)->list_containers(label)->empty());
    CHECK((*client)->list_networks(label)->empty());
  }
}

/// `pipe run | reader`: the reader quits once the step runs, as `head -3` does.
void check_closed_output(Backend backend) {
  SignalCase c(backend);
  int out[2];
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  const int err = open_log(c.dir.path / "err.txt");
  const pid_t pid = spawn_child(c.argv(), c.dir.path, ChildStreams{out[1], err, false});
  ::close(out[1]);
  ::close(err);
  // Read like a pager would until the step has started, then go away.
  const bool started = wait_for_file(c.dir.path / "started", std::chrono::seconds(120));
  ::close(out[0]);
  REQUIRE(started);
  check_cancelled(c, wait_child(pid, std::chrono::seconds(120)), 128 + SIGPIPE);
}

/// `pipe run` on a terminal that hangs up (a closed window, a dropped ssh session).
void check_hangup(Backend backend) {
  SignalCase c(backend);
  PseudoTerminal tty;
  REQUIRE(tty.slave >= 0);
  const int err = open_log(c.dir.path / "err.txt");
  const pid_t pid = spawn_child(c.argv(), c.dir.path, ChildStreams{tty.slave, err, true});
  tty.close_slave();
  ::close(err);
  const bool started = wait_for_file(c.dir.path / "started", std::chrono::seconds(120));
  tty.hang_up();
  REQUIRE(started);
  check_cancelled(c, wait_child(pid, std::chrono::seconds(120)), 128 + SIGHUP);
}

/// Runs `check` on `backend`, unless it is Docker and no engine with the image answers.
void check_on(Backend backend, void (*check)(Backend)) {
  if (backend == Backend::docker) {
    if (const auto why = docker_missing(); !why.empty()) {
      WARN(why);
      return;
    }
  }
  check(backend);
}

}  // namespace

TEST_CASE("a closed standard output cancels a host run like Ctrl-C and exits 141", "[run][signals]") {
  check_on(Backend::host, check_closed_output);
}

TEST_CASE("a closed standard output cancels a container run and removes its container", "[run][signals][docker]") {
  check_on(Backend::docker, check_closed_output);
}

TEST_CASE("a terminal hanging up cancels a host run like Ctrl-C and exits 129", "[run][signals]") {
  check_on(Backend::host, check_hangup);
}

TEST_CASE("a terminal hanging up cancels a container run and removes its container", "[run][signals][docker]") {
  check_on(Backend::docker, check_hangup);
}

TEST_CASE("SIGTERM cancels like Ctrl-C and exits 143", "[run][signals]") {
  SignalCase c(Backend::host);
  const int log = open_log(c.dir.path / "err.txt");
  const pid_t pid = spawn_child(c.argv(), c.dir.path, ChildStreams{log, log, false});
  ::close(log);
  const bool started = wait_for_file(c.dir.path / "started", std::chrono::seconds(60));
  ::kill(pid, SIGTERM);
  REQUIRE(started);
  check_cancelled(c, wait_child(pid, std::chrono::seconds(60)), 128 + SIGTERM);
  CHECK_THAT(read_file(c.dir.path / "err.txt"), Catch::Contains("pipe: terminated: cancelling"));
}

TEST_CASE("with a real `| grep -m1` reader the run stops, cleans up and exits 141", "[run][signals]") {
  SignalCase c(Backend::host);
  std::string command = "set -o pipefail; '";
  for (const auto& arg : c.argv()) {
    command += arg + "' '";
  }
  command.resize(command.size() - 2);
  command += " 2>err.txt | grep -m1 -q tick; echo \"pipe=${PIPESTATUS[0]}\"";
  const auto result = pipeline::test::run_process({"/bin/bash", "-c", command}, c.dir.path.string());
  INFO(result.out + result.err);
  CHECK_THAT(result.out, Catch::Contains("pipe=141"));
  check_cancelled(c, 141, 141);
}

TEST_CASE("a dry run whose standard output is closed exits 141 instead of dying of SIGPIPE", "[run][signals]") {
  SignalCase c(Backend::host);
  int out[2];
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  ::close(out[0]);  // the reader is gone before pipe writes its plan
  const int err = open_log(c.dir.path / "err.txt");
  auto argv = c.argv();
  argv.emplace_back("--dry-run");
  const pid_t pid = spawn_child(argv, c.dir.path, ChildStreams{out[1], err, false});
  ::close(out[1]);
  ::close(err);
  CHECK(wait_child(pid, std::chrono::seconds(60)) == 128 + SIGPIPE);
  CHECK_FALSE(fs::exists(c.dir.path / "started"));
}

TEST_CASE("under nohup a hangup is ignored and the run goes on", "[run][signals]") {
  TempDir dir("nohup");
  write_file(dir.path / "workflow.yml", R"yaml(on: push
jobs:
  wait:
    runs-on: ubuntu-latest
    steps:
      - run: |
          touch "$GITHUB_WORKSPACE/started"
          while [ ! -f "$GITHUB_WORKSPACE/go" ]; do sleep 0.1; done
          echo "went on"
)yaml");
  const int log = open_log(dir.path / "out.txt");
  const pid_t pid = spawn_child({"/usr/bin/nohup", PIPE_EXE, "run", "workflow.yml", "--backend", "host"}, dir.path,
                                ChildStreams{log, log, false});
  ::close(log);
  const bool started = wait_for_file(dir.path / "started", std::chrono::seconds(60));
  ::kill(pid, SIGHUP);  // nohup has exec'd pipe: same pid
  write_file(dir.path / "go", "");
  REQUIRE(started);
  INFO(read_file(dir.path / "out.txt"));
  CHECK(wait_child(pid, std::chrono::seconds(60)) == 0);
  CHECK_THAT(read_file(dir.path / "out.txt"), Catch::Contains("went on"));
}
