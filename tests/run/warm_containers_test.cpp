// Warm job containers through the real `pipe run`: the rest of a matrix takes containers started
// while the first job ran; none of them carries a secret before a job takes it; nothing is left
// when the run ends, and `pipe clean` removes what a killed run had warmed.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "runner/docker/engine_client.hpp"
#include "support/child_process.hpp"
#include "support/docker_engine.hpp"
#include "support/run_process.hpp"
#include "support/warm_containers.hpp"

namespace fs = std::filesystem;
using pipeline::runner::docker::EngineClient;
using pipeline::test::open_log;
using pipeline::test::run_process;
using pipeline::test::spawn_child;
using pipeline::test::wait_child;
using pipeline::test::wait_for_file;
using pipeline::test::await_warm;
using pipeline::test::read_text;
using pipeline::test::warm_of;

namespace {

constexpr const char* k_busybox = "pipe-test/busybox:latest";
constexpr const char* k_secret = "warm-s3cr3t-value";

// A matrix of three on one image, one job at a time: the first job waits for `go` in the
// workspace, so the test sees the other two's containers warm before any job takes them.
const char* const k_matrix_workflow = R"yaml(on: push
jobs:
  m:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        n: [0, 1, 2]
    env:
      TOKEN: ${{ secrets.TOKEN }}
      JOB_ONLY: job-env-value
    steps:
      - run: |
          echo "temp-${{ matrix.n }}=$RUNNER_TEMP"
          [ "$TOKEN" = "warm-s3cr3t-value" ] && echo "token-${{ matrix.n }}=ok"
          touch "started-${{ matrix.n }}"
          while [ ! -e go ]; do sleep 0.1; done
)yaml";

struct ScratchRepo {
  fs::path path;
  explicit ScratchRepo(const std::string& name) {
    path = fs::temp_directory_path() / ("pipe-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
    std::ofstream(path / "workflow.yml") << k_matrix_workflow;
  }
  ~ScratchRepo() { fs::remove_all(path); }
  ScratchRepo(const ScratchRepo&) = delete;
  ScratchRepo& operator=(const ScratchRepo&) = delete;
};

std::vector<std::string> matrix_run() {
  return {PIPE_EXE, "run", "workflow.yml", "--backend", "docker", "-p", "1", "-s", "TOKEN",
          "-P", std::string("ubuntu-latest=") + k_busybox};
}

}  // namespace

TEST_CASE("the rest of a matrix takes warm containers that carry no secret, and none is left", "[docker][warm]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  ScratchRepo repo("warm-matrix");
  const fs::path log = repo.path / "log";
  const int fd = open_log(log);
  REQUIRE(fd >= 0);
  const pid_t pid = spawn_child(matrix_run(), repo.path, {fd, fd}, {{"TOKEN", k_secret}});
  ::close(fd);
  REQUIRE(wait_for_file(repo.path / "started-0", std::chrono::seconds(120)));

  // While the first job runs, the other two combinations' containers are started and idle.
  const auto warm = await_warm(*client, pid, 2);
  INFO(read_text(log));
  REQUIRE(warm.size() == 2);
  for (const auto& item : warm) {
    auto info = client->inspect_container(item.id);
    REQUIRE(info);
    CHECK(info->running);
    CHECK(info->config.find(k_secret) == std::string::npos);
    CHECK(info->config.find("job-env-value") == std::string::npos);
    CHECK(info->config.find("TOKEN") == std::string::npos);
  }
  std::ofstream(repo.path / "go") << "";
  REQUIRE(wait_child(pid, std::chrono::seconds(180)) == 0);

  const std::string out = read_text(log);
  INFO(out);
  for (const char* n : {"0", "1", "2"}) {
    CHECK(out.find(std::string("token-") + n + "=ok") != std::string::npos);
  }
  // The later combinations' temp dirs live in the warm containers' own directories.
  const std::regex temp("temp-[0-9]=([^\\s]*)");
  int in_warm = 0;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), temp);
       it != std::sregex_iterator(); ++it) {
    in_warm += (*it)[1].str().find("/warm-") != std::string::npos ? 1 : 0;
  }
  CHECK(in_warm == 2);
  CHECK(pipeline::test::containers_labelled(*client, "pipe.pid=" + std::to_string(pid)).empty());
}

TEST_CASE("pipe clean removes the warm containers of a killed run", "[docker][warm]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  ScratchRepo repo("warm-killed");
  const fs::path log = repo.path / "log";
  const int fd = open_log(log);
  REQUIRE(fd >= 0);
  const pid_t pid = spawn_child(matrix_run(), repo.path, {fd, fd}, {{"TOKEN", k_secret}});
  ::close(fd);
  REQUIRE(wait_for_file(repo.path / "started-0", std::chrono::seconds(120)));
  REQUIRE(await_warm(*client, pid, 2).size() == 2);

  ::kill(pid, SIGKILL);
  (void)wait_child(pid, std::chrono::seconds(30));
  REQUIRE_FALSE(warm_of(*client, pid).empty());  // a killed pipe removes nothing

  const auto clean = run_process({PIPE_EXE, "clean"}, repo.path.string());
  INFO(clean.out + clean.err);
  CHECK(clean.exit_code == 0);
  CHECK(pipeline::test::containers_labelled(*client, "pipe.pid=" + std::to_string(pid)).empty());
  bool dirs_left = false;
  for (const auto& entry : fs::directory_iterator(fs::temp_directory_path())) {
    dirs_left |= entry.path().filename().string().rfind("pipe-run-" + std::to_string(pid) + "-", 0) == 0;
  }
  CHECK_FALSE(dirs_left);
}
