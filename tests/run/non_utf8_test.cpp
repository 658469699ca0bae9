// Bytes that are not UTF-8 (a Latin-1 commit message, a .env value) reach JSON documents sent to
// the engine or written for steps: the run goes on, with U+FFFD where JSON cannot hold the bytes.
#include <catch2/catch.hpp>

#include <fstream>

#include "runner/docker/engine_client.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using pipeline::runner::docker::EngineClient;
using pipeline::test::run_process;

namespace {

constexpr const char* k_busybox = "pipe-test/busybox:latest";

constexpr const char* k_workflow =
    "on: push\n"
    "jobs:\n"
    "  show:\n"
    "    runs-on: ubuntu-latest\n"
    "    steps:\n"
    "      - run: |\n"
    "          grep -c '\"message\"' \"$GITHUB_EVENT_PATH\"\n"
    "          printf 'value:'; printf '%s' \"$LATIN\" | od -An -tx1\n";

/// A git repository whose one commit has a Latin-1 message, with a Latin-1 value in its .env.
struct Latin1Repo {
  pipeline::test::TempDir dir{"non-utf8"};
  Latin1Repo() {
    fs::create_directories(dir.path / ".github" / "workflows");
    std::ofstream(dir.path / ".github" / "workflows" / "ci.yml") << k_workflow;
    std::ofstream(dir.path / ".env", std::ios::binary) << "LATIN=caf\xe9\n";
    git({"init", "-q"});
    git({"add", "."});
    git({"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "i18n.commitEncoding=ISO-8859-1", "commit",
         "-q", "-m", "caf\xe9 au lait"});
  }
  void git(std::vector<std::string> args) const {
    args.insert(args.begin(), "/usr/bin/git");
    const auto done = run_process(args, dir.path.string());
    INFO(done.err);
    REQUIRE(done.exit_code == 0);
  }
};

}  // namespace

TEST_CASE("a Latin-1 commit message and .env value on the host: event.json is written", "[run][utf8]") {
  Latin1Repo repo;
  const auto result = run_process({PIPE_EXE, "run", "--backend", "host"}, repo.dir.path.string());
  INFO(result.out + result.err);
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("Job succeeded"));
  CHECK_THAT(result.out, Catch::Contains("value: 63 61 66 e9"));  // the host passes the bytes as they are
}

TEST_CASE("a Latin-1 .env value in a container job: the step agent passes the bytes, exec-per-step sends U+FFFD", "[run][docker][utf8]") {
  auto client = EngineClient::connect_from_environment();
  const auto busybox = client ? (*client)->image_exists(k_busybox) : pipeline::Result<bool>(false);
  if (!busybox || !*busybox) {
    WARN("skipped: no Docker engine with " << k_busybox << " (tests/images/build.sh builds it)");
    return;
  }
  Latin1Repo repo;
  const auto result = run_process(
      {PIPE_EXE, "run", "--backend", "docker", "-P", std::string("ubuntu-latest=") + k_busybox},
      repo.dir.path.string());
  INFO(result.out + result.err);
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("Job succeeded"));
  CHECK_THAT(result.out, Catch::Contains("value: 63 61 66 e9"));  // the agent's request is bytes, not JSON
  CHECK_THAT(result.err, !Catch::Contains("left by dead runs"));

  // Without the agent the environment travels in the exec's JSON body: invalid UTF-8 becomes U+FFFD.
  const auto exec = run_process(
      {PIPE_EXE, "run", "--backend", "docker", "--no-agent", "-P", std::string("ubuntu-latest=") + k_busybox},
      repo.dir.path.string());
  INFO(exec.out + exec.err);
  CHECK(exec.exit_code == 0);
  CHECK_THAT(exec.out, Catch::Contains("value: 63 61 66 ef bf bd"));
}
