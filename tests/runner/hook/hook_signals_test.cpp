// `pipe hook run` interrupted (its output closed, a hangup) and with a broken workflow staged:
// it behaves as `pipe run` does.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "runner/hook/kept_hook.hpp"
#include "runner/hook/repo_fixture.hpp"
#include "support/child_process.hpp"

using pipeline::test::ChildStreams;
using pipeline::test::TempRepo;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The hook's jobs run on the host in an export of the index, so markers go to the repository by
// absolute path (a job container would not see it).
std::string waiting_workflow(const std::string& repo) {
  return "on: push\njobs:\n  wait:\n    runs-on: ubuntu-latest\n    steps:\n"
         "      - run: |\n          touch '" + repo + "/started'\n          sleep 300\n"
         "      - if: always()\n        run: echo 'cleanup ran' > '" + repo + "/cleanup-ran'\n";
}

/// Starts `pipe hook run` in `repo` with `out` as its standard output (and error) and waits for its step.
pid_t start_hook(const TempRepo& repo, int out) {
  repo.write(".github/workflows/wait.yml", waiting_workflow(repo.dir()));
  REQUIRE(repo.sh("git add -A").exit_code == 0);
  const pid_t pid = pipeline::test::spawn_child({PIPE_EXE, "hook", "run", "--backend", "host"}, repo.dir(),
                                                ChildStreams{out, out, false}, {{"CI", ""}, {"GITHUB_ACTIONS", ""}});
  ::close(out);
  return pid;
}

}  // namespace

TEST_CASE("the hook cancels like Ctrl-C when its output is closed, and exits 141", "[hook][signals]") {
  TempRepo repo;
  int out[2];
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  const pid_t pid = start_hook(repo, out[1]);
  const bool started = pipeline::test::wait_for_file(repo.dir() + "/started", std::chrono::seconds(60));
  ::close(out[0]);
  REQUIRE(started);
  CHECK(pipeline::test::wait_child(pid, std::chrono::seconds(60)) == 128 + SIGPIPE);
  CHECK(repo.read("cleanup-ran") == "cleanup ran\n");
}

TEST_CASE("the hook cancels like Ctrl-C on SIGHUP, and exits 129", "[hook][signals]") {
  TempRepo repo;
  const int log = ::open((repo.dir() + "/hook.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const pid_t pid = start_hook(repo, log);
  const bool started = pipeline::test::wait_for_file(repo.dir() + "/started", std::chrono::seconds(60));
  ::kill(pid, SIGHUP);
  REQUIRE(started);
  CHECK(pipeline::test::wait_child(pid, std::chrono::seconds(60)) == 128 + SIGHUP);
  INFO(repo.read("hook.log"));
  CHECK(repo.read("cleanup-ran") == "cleanup ran\n");
  CHECK(contains(repo.read("hook.log"), "pipe: hangup: cancelling"));
}

TEST_CASE("a broken staged workflow fails alone: the hook runs the others and exits 1", "[hook]") {
  TempRepo repo;
  const pipeline::test::KeptHookCleanup kept{{repo.dir()}};
  repo.write(".github/workflows/good.yml",
             "on: push\njobs:\n  good:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo good ran\n");
  repo.write(".github/workflows/broken.yml", "on: push\njobs:\n  bad:\n    runs-on: ubuntu-latest\n    stesp: []\n");
  REQUIRE(repo.sh("git add -A").exit_code == 0);
  const auto result = repo.sh("$PIPE hook run");
  INFO(result.out + result.err);
  CHECK(result.exit_code == 1);
  CHECK(contains(result.out, "✓ good"));
  CHECK(contains(result.out, "✗ .github/workflows/broken.yml"));
  CHECK(contains(result.err, "broken.yml:5:5: error:"));
}
