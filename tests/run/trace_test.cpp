// pipe's diagnostic trace through the real binary: off by default, `--log-level`/`PIPE_LOG` and
// `--log-file` turn it on, and it carries Engine API calls but never a secret.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "runner/docker/engine_client.hpp"
#include "support/files.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using pipeline::runner::docker::EngineClient;
using pipeline::test::run_process;

namespace {

constexpr const char* k_busybox = "pipe-test/busybox:latest";
constexpr const char* k_secret = "trace-s3cr3t-never-logged";

constexpr const char* k_workflow =
    "on: push\n"
    "jobs:\n"
    "  build:\n"
    "    runs-on: ubuntu-latest\n"
    "    steps:\n"
    "      - run: echo \"token is $TOKEN\"\n"
    "        env:\n"
    "          TOKEN: ${{ secrets.TOKEN }}\n";

/// A directory holding the workflow, and where a trace file would go.
struct TraceRepo {
  pipeline::test::TempDir dir{"trace"};
  fs::path log = dir.path / "trace.log";
  TraceRepo() { std::ofstream(dir.path / "workflow.yml") << k_workflow; }
};

bool docker_ready() {
  auto client = EngineClient::connect_from_environment();
  const auto busybox = client ? (*client)->image_exists(k_busybox) : pipeline::Result<bool>(false);
  return busybox && *busybox;
}

std::vector<std::string> docker_run(const std::vector<std::string>& extra) {
  std::vector<std::string> argv{PIPE_EXE, "run", "workflow.yml", "--backend", "docker",
                                "-P", std::string("ubuntu-latest=") + k_busybox, "-s",
                                std::string("TOKEN=") + k_secret};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

}  // namespace

TEST_CASE("pipe run --log-level debug --log-file traces each Engine API call and no secret", "[run][docker][trace]") {
  if (!docker_ready()) {
    WARN("skipped: no Docker engine with " << k_busybox << " (tests/images/build.sh builds it)");
    return;
  }
  TraceRepo repo;
  const auto result = run_process(docker_run({"--log-level", "debug", "--log-file", repo.log.string()}),
                                  repo.dir.path.string());
  INFO(result.out + result.err);
  REQUIRE(result.exit_code == 0);
  const std::string trace = pipeline::test::read_file(repo.log);
  INFO(trace);
  CHECK_THAT(trace, Catch::Contains("engine GET /_ping -> 200"));
  CHECK_THAT(trace, Catch::Contains("engine POST /v1.41/containers/create"));
  CHECK_THAT(trace, Catch::Contains("/exec -> 201"));
  CHECK_THAT(trace, Catch::Contains(" ms)"));
  CHECK_THAT(trace, Catch::Contains("scheduler: build ready and started"));
  CHECK_THAT(trace, Catch::Contains("scheduler: build finished: success"));
  CHECK(trace.find(k_secret) == std::string::npos);
  CHECK(result.err.find("engine ") == std::string::npos);  // the file, not stderr
}

TEST_CASE("the trace is off by default and PIPE_LOG turns it on to stderr", "[run][trace]") {
  TraceRepo repo;
  const std::vector<std::string> host{PIPE_EXE, "run", "workflow.yml", "--backend", "host",
                                      "-s", std::string("TOKEN=") + k_secret};
  const auto quiet = run_process(host, repo.dir.path.string());
  INFO(quiet.out + quiet.err);
  REQUIRE(quiet.exit_code == 0);
  CHECK(quiet.err.find("scheduler:") == std::string::npos);
  CHECK_FALSE(fs::exists(repo.log));

  ::setenv("PIPE_LOG", "debug", 1);
  const auto traced = run_process(host, repo.dir.path.string());
  ::unsetenv("PIPE_LOG");
  INFO(traced.out + traced.err);
  REQUIRE(traced.exit_code == 0);
  CHECK_THAT(traced.err, Catch::Contains("debug: scheduler: build ready and started"));
  CHECK(traced.err.find(k_secret) == std::string::npos);
  CHECK(traced.out.find("scheduler:") == std::string::npos);
}

TEST_CASE("a bad --log-level or an unwritable --log-file is a usage error", "[run][trace]") {
  TraceRepo repo;
  const auto bad = run_process({PIPE_EXE, "run", "-n", "workflow.yml", "--log-level", "loud"}, repo.dir.path.string());
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("unknown log level 'loud' (expected off, error, warn, info, debug or trace)"));
  // Under a regular file, so no directory can be made for it.
  const std::string under_file = (repo.dir.path / "workflow.yml" / "trace.log").string();
  const auto unwritable = run_process(
      {PIPE_EXE, "run", "-n", "workflow.yml", "--log-level", "debug", "--log-file", under_file}, repo.dir.path.string());
  CHECK(unwritable.exit_code == 2);
  CHECK_THAT(unwritable.err, Catch::Contains("pipe: error: cannot open the log file " + under_file));
}
