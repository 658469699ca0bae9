// Warm job containers for jobs that are not a matrix: parallel jobs of one image waiting for a
// slot or for their needs take containers started while earlier jobs ran, `container:` jobs
// too; a job known not to run (`if: false`) is not counted; `--no-warm` and `warm: false` start
// none; an interrupted run leaves none. The trace (`--log-level debug`) names each warm
// container started, taken or removed unused, so the tests count them instead of timing.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "support/child_process.hpp"
#include "support/docker_engine.hpp"
#include "support/run_process.hpp"
#include "support/warm_containers.hpp"

namespace fs = std::filesystem;
using pipeline::test::await_warm;
using pipeline::test::containers_labelled;
using pipeline::test::open_log;
using pipeline::test::read_text;
using pipeline::test::run_process;
using pipeline::test::spawn_child;
using pipeline::test::wait_child;
using pipeline::test::wait_for_file;

namespace {

constexpr const char* k_busybox = "pipe-test/busybox:latest";
constexpr const char* k_secret = "warm-parallel-s3cr3t";

// One step of job `name`: its temp dir and token, then (with `wait`) it waits for `go`.
std::string step(const std::string& name, bool wait) {
  return "      - run: |\n"
         "          echo \"temp-" + name + "=$RUNNER_TEMP\"\n"
         "          [ \"$TOKEN\" = \"" + k_secret + "\" ] && echo \"token-" + name + "=ok\"\n"
         "          touch \"started-" + name + "\"\n" +
         (wait ? "          while [ ! -e go ]; do sleep 0.1; done\n" : "");
}

// Jobs a, b and c on one image (each in `container:` with `in_container`), `needs` as given
// ("" for none), and d, which `if: false` keeps from ever running.
std::string workflow(bool wait, bool in_container, const std::string& b_needs = "", const std::string& c_needs = "") {
  std::string text = "on: push\njobs:\n";
  for (const std::string name : {"a", "b", "c"}) {
    text += "  " + name + ":\n    runs-on: ubuntu-latest\n";
    if (in_container) {
      text += std::string("    container: ") + k_busybox + "\n";
    }
    const std::string& needs = name == "b" ? b_needs : name == "c" ? c_needs : "";
    if (!needs.empty()) {
      text += "    needs: " + needs + "\n";
    }
    text += "    env:\n      TOKEN: ${{ secrets.TOKEN }}\n      JOB_ONLY: job-env-value\n    steps:\n" + step(name, wait);
  }
  text += "  d:\n    if: false\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo never\n";
  return text;
}

struct Repo {
  pipeline::test::TempDir dir{"warm-parallel"};
  fs::path log = dir.path / "log";
  fs::path trace = dir.path / "trace.log";
  explicit Repo(const std::string& text) { std::ofstream(dir.path / "workflow.yml") << text; }
};

std::vector<std::string> pipe_run(const Repo& repo, int parallel, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv{PIPE_EXE, "run", "workflow.yml", "--backend", "docker", "-p", std::to_string(parallel),
                                "-s", "TOKEN", "-P", std::string("ubuntu-latest=") + k_busybox,
                                "--log-level", "debug", "--log-file", repo.trace.string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

pid_t start(const Repo& repo, const std::vector<std::string>& argv) {
  const int fd = open_log(repo.log);
  REQUIRE(fd >= 0);
  const pid_t pid = spawn_child(argv, repo.dir.path, {fd, fd}, {{"TOKEN", k_secret}});
  ::close(fd);
  return pid;
}

// How many trace lines say a warm container was `what` ("started", "taken", "removed").
int warm_lines(const Repo& repo, const std::string& what) {
  const std::string text = read_text(repo.trace);
  const std::regex line("warm container [0-9a-f]+ " + what);
  return static_cast<int>(std::distance(std::sregex_iterator(text.begin(), text.end(), line), std::sregex_iterator()));
}

// How many of jobs a, b and c ran in a warm container: their temp dirs are in its directory.
int jobs_in_warm(const std::string& out) {
  const std::regex temp("temp-[abc]=([^\\s]*)");
  int in_warm = 0;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), temp); it != std::sregex_iterator(); ++it) {
    in_warm += (*it)[1].str().find("/warm-") != std::string::npos ? 1 : 0;
  }
  return in_warm;
}

// Every job ran with its secret, as it does without warm containers.
void check_results(const std::string& out) {
  for (const char* name : {"a", "b", "c"}) {
    CHECK(out.find(std::string("token-") + name + "=ok") != std::string::npos);
  }
  CHECK(out.find("never") == std::string::npos);
}

bool run_dirs_left(pid_t pid) {
  for (const auto& entry : fs::directory_iterator(fs::temp_directory_path())) {
    if (entry.path().filename().string().rfind("pipe-run-" + std::to_string(pid) + "-", 0) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("parallel jobs of one image waiting for a slot take warm containers that carry no secret", "[docker][warm]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  Repo repo(workflow(true, false));
  const pid_t pid = start(repo, pipe_run(repo, 1));
  // One job runs and waits for `go`; the other two (d never runs) have containers started meanwhile.
  for (int i = 0; i < 1200 && !fs::exists(repo.dir.path / "started-a") && !fs::exists(repo.dir.path / "started-b") &&
                  !fs::exists(repo.dir.path / "started-c");
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const auto warm = await_warm(*client, pid, 2);
  INFO(read_text(repo.log));
  REQUIRE(warm.size() == 2);
  for (const auto& item : warm) {
    auto info = client->inspect_container(item.id);
    REQUIRE(info);
    CHECK(info->config.find(k_secret) == std::string::npos);
    CHECK(info->config.find("job-env-value") == std::string::npos);
  }
  std::ofstream(repo.dir.path / "go") << "";
  REQUIRE(wait_child(pid, std::chrono::seconds(180)) == 0);

  const std::string out = read_text(repo.log);
  INFO(out);
  check_results(out);
  CHECK(jobs_in_warm(out) == 2);
  // Two were started, both taken: `d` was not counted, nothing was made for nobody.
  CHECK(warm_lines(repo, "started") == 2);
  CHECK(warm_lines(repo, "taken") == 2);
  CHECK(warm_lines(repo, "removed") == 0);
  CHECK(containers_labelled(*client, "pipe.pid=" + std::to_string(pid)).empty());
  CHECK_FALSE(run_dirs_left(pid));
}

TEST_CASE("jobs waiting on their needs take warm containers started while the need ran", "[docker][warm]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  Repo repo(workflow(false, false, "a", "a"));
  const pid_t pid = start(repo, pipe_run(repo, 2));
  REQUIRE(wait_child(pid, std::chrono::seconds(180)) == 0);
  const std::string out = read_text(repo.log);
  INFO(out << read_text(repo.trace));
  check_results(out);
  CHECK(jobs_in_warm(out) == 2);
  CHECK(warm_lines(repo, "started") == 2);
  CHECK(warm_lines(repo, "taken") == 2);
  CHECK(containers_labelled(*client, "pipe.pid=" + std::to_string(pid)).empty());
}

TEST_CASE("jobs that all start at once leave no warm container unused", "[docker][warm]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  Repo repo(workflow(false, false));
  const pid_t pid = start(repo, pipe_run(repo, 4));
  REQUIRE(wait_child(pid, std::chrono::seconds(180)) == 0);
  const std::string out = read_text(repo.log);
  INFO(out << read_text(repo.trace));
  check_results(out);
  // Whether a job counted itself started before another looked is up to the threads; either way
  // every warm container started was taken.
  CHECK(warm_lines(repo, "started") == warm_lines(repo, "taken"));
  CHECK(warm_lines(repo, "removed") == 0);
  CHECK(containers_labelled(*client, "pipe.pid=" + std::to_string(pid)).empty());
}

TEST_CASE("container: jobs of one image take warm containers and join their job's network", "[docker][warm]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  std::string text = workflow(false, true);
  // Each job also shows the network it is on, as GitHub's container jobs have one each.
  text += "  e:\n    needs: [a, b, c]\n    runs-on: ubuntu-latest\n    container: " + std::string(k_busybox) +
          "\n    steps:\n      - run: echo \"network=${{ job.container.network }} interfaces=$(grep -c eth /proc/net/dev)\"\n";
  Repo repo(text);
  const pid_t pid = start(repo, pipe_run(repo, 1));
  REQUIRE(wait_child(pid, std::chrono::seconds(240)) == 0);
  const std::string out = read_text(repo.log);
  INFO(out << read_text(repo.trace));
  check_results(out);
  // a, b, c and e share the container; the first of them starts it cold, the other three take warm ones.
  CHECK(jobs_in_warm(out) == 2);
  CHECK(warm_lines(repo, "taken") == 3);
  CHECK(warm_lines(repo, "removed") == 0);
  // e took a warm container: it is on its job's network only, as a container created there is.
  CHECK(std::regex_search(out, std::regex("network=[^\\s]+ interfaces=1")));
  CHECK(containers_labelled(*client, "pipe.pid=" + std::to_string(pid)).empty());
}

TEST_CASE("a run with --no-warm or `warm: false` starts no warm container and changes no result", "[docker][warm]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  for (const bool by_config : {false, true}) {
    Repo repo(workflow(false, false));
    if (by_config) {
      std::ofstream(repo.dir.path / ".pipe.yml") << "warm: false\n";
    }
    const pid_t pid = start(repo, pipe_run(repo, 1, by_config ? std::vector<std::string>{} : std::vector<std::string>{"--no-warm"}));
    REQUIRE(wait_child(pid, std::chrono::seconds(180)) == 0);
    const std::string out = read_text(repo.log);
    INFO((by_config ? "warm: false\n" : "--no-warm\n") << out);
    check_results(out);
    CHECK(jobs_in_warm(out) == 0);
    CHECK(warm_lines(repo, "started") == 0);
    CHECK(read_text(repo.trace).find("_warm_") == std::string::npos);  // no create named as a warm one
  }
}

TEST_CASE("an interrupted run leaves no warm container behind", "[docker][warm][signals]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  Repo repo(workflow(true, false));
  const pid_t pid = start(repo, pipe_run(repo, 1));
  REQUIRE(await_warm(*client, pid, 2).size() == 2);
  ::kill(pid, SIGINT);
  CHECK(wait_child(pid, std::chrono::seconds(120)) == 130);
  INFO(read_text(repo.log));
  CHECK(containers_labelled(*client, "pipe.pid=" + std::to_string(pid)).empty());
  CHECK_FALSE(run_dirs_left(pid));
}
