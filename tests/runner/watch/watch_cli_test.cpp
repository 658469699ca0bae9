// `pipe run --watch` as a user runs it, on the host backend in a real git repository: real file
// changes start runs, ignored files and paths outside the trigger's `paths` do not, a newer change
// cancels a long step (its processes are gone) and runs again, and Ctrl-C or `q` end watching.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "runner/docker/engine_client.hpp"
#include "runner/hook/repo_fixture.hpp"
#include "support/child_process.hpp"
#include "support/files.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using pipeline::test::ChildStreams;
using pipeline::test::open_log;
using pipeline::test::read_file;
using pipeline::test::run_process;
using pipeline::test::spawn_child;
using pipeline::test::TempDir;
using pipeline::test::TempRepo;
using pipeline::test::wait_child;
using pipeline::test::write_file;

namespace {

constexpr auto k_hang_guard = std::chrono::seconds(120);

/// Runs for changes under src/ only. The step prints what it saw; while src/slow exists it also
/// records its shell's pid outside the repository and sleeps (a long step to cancel).
std::string workflow(const fs::path& outside) {
  std::string text = R"YAML(on:
  push:
    paths: ['src/**']
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "build sees $(cat src/main.c)"
          if [ -f src/slow ]; then
            echo $$ > "OUT/step.pid.tmp"
            mv "OUT/step.pid.tmp" "OUT/step.pid"
            echo "slow step started"
            sleep 600
          fi
)YAML";
  for (auto at = text.find("OUT"); at != std::string::npos; at = text.find("OUT", at)) {
    text.replace(at, 3, outside.string());
    at += outside.string().size();
  }
  return text;
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

/// Waits until `file` holds `needle` at least `times` times; false when the hang guard ends it.
bool wait_for_text(const fs::path& file, const std::string& needle, std::size_t times = 1) {
  const auto deadline = std::chrono::steady_clock::now() + k_hang_guard;
  while (count(read_file(file), needle) < times) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

/// Whether process `pid` is gone (a zombie left for a reaper that never comes counts as gone).
bool gone(pid_t pid) {
  if (::kill(pid, 0) != 0) {
    return true;
  }
  const auto stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z';
}

bool eventually_gone(pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + k_hang_guard;
  while (!gone(pid)) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

/// The pid the slow step wrote, once it has; removes the file for the next one.
pid_t take_step_pid(const fs::path& outside) {
  REQUIRE(pipeline::test::wait_for_file(outside / "step.pid", k_hang_guard));
  const pid_t pid = std::stoi(read_file(outside / "step.pid"));
  fs::remove(outside / "step.pid");
  return pid;
}

/// A committed repository with the workflow, ignoring ignored/ and *.log.
struct WatchRepo {
  TempRepo repo;
  TempDir outside{"watch-out"};
  WatchRepo() {
    repo.write(".gitignore", "ignored/\n*.log\n");
    repo.write("src/main.c", "v1");
    repo.write(".github/workflows/ci.yml", workflow(outside.path));
    REQUIRE(repo.sh("git add -A && git commit -q -m init").exit_code == 0);
  }
  [[nodiscard]] fs::path out() const { return outside.path / "out.txt"; }
  [[nodiscard]] fs::path err() const { return outside.path / "err.txt"; }
  [[nodiscard]] std::string logs() const {
    return "stdout:\n" + read_file(out()) + "\nstderr:\n" + read_file(err());
  }
};

// A wait that failed shows what pipe printed until then.
#define REQUIRE_WAIT(condition)  \
  do {                           \
    const bool met_ = condition; \
    INFO(w.logs());              \
    REQUIRE(met_);               \
  } while (false)

}  // namespace

TEST_CASE("pipe run --watch re-runs for changes a trigger takes, cancels a stale run, and ends on Ctrl-C",
          "[watch][cli]") {
  WatchRepo w;
  const fs::path dir = w.repo.dir();
  const int out = open_log(w.out());
  const int err = open_log(w.err());
  const pid_t pid = spawn_child({PIPE_EXE, "run", "--watch", "--backend", "host"}, dir, ChildStreams{out, err, false});
  ::close(out);
  ::close(err);

  // The first run: as `pipe run` would (the commit's files include src/main.c).
  REQUIRE_WAIT(wait_for_text(w.err(), "pipe watch: waiting for changes (Ctrl-C to stop)"));
  CHECK(count(read_file(w.out()), "build sees v1") == 1);

  // Ignored files start nothing and are never named; the source change runs.
  write_file(dir / "ignored" / "cache.bin", "x");
  write_file(dir / "debug.log", "x");
  write_file(dir / "src" / "main.c", "v2");
  REQUIRE_WAIT(wait_for_text(w.err(), "waiting for changes", 2));
  CHECK(count(read_file(w.out()), "build sees v2") == 1);
  CHECK_THAT(read_file(w.err()), Catch::Contains("pipe watch: src/main.c changed → running .github/workflows/ci.yml\n"));
  CHECK(read_file(w.err()).find("cache.bin") == std::string::npos);
  CHECK(read_file(w.err()).find("debug.log") == std::string::npos);

  // A path outside the trigger's `paths` runs nothing.
  write_file(dir / "docs" / "notes.md", "x");
  REQUIRE_WAIT(wait_for_text(w.err(), "pipe watch: docs/notes.md changed → no workflow's trigger takes these files: nothing runs"));

  // A long step, then a newer change: the step is cancelled, its process is gone, the new run happens.
  write_file(dir / "src" / "slow", "");
  const pid_t first_step = take_step_pid(w.outside.path);
  CHECK(count(read_file(w.out()), "build sees v2") == 2);  // the docs change ran nothing
  write_file(dir / "src" / "main.c", "v3");
  fs::remove(dir / "src" / "slow");
  REQUIRE_WAIT(wait_for_text(w.out(), "build sees v3"));
  REQUIRE_WAIT(wait_for_text(w.err(), "waiting for changes", 3));
  CHECK_THAT(read_file(w.err()), Catch::Contains("→ cancelling the run to start again\n"));
  CHECK(eventually_gone(first_step));
  if (fs::exists(w.outside.path / "step.pid")) {
    CHECK(eventually_gone(take_step_pid(w.outside.path)));  // the files came in two batches: two cancels
  }

  // Ctrl-C during a long step: the run is cancelled as `pipe run` cancels, watching ends with 130.
  write_file(dir / "src" / "slow", "again");
  const pid_t second_step = take_step_pid(w.outside.path);
  ::kill(pid, SIGINT);
  CHECK(wait_child(pid, k_hang_guard) == 130);
  CHECK(eventually_gone(second_step));
  const auto record = nlohmann::json::parse(read_file(dir / ".pipe" / "runs" / "latest" / "run.json"));
  CHECK(record["result"] == "cancelled");
  CHECK(record["exit_code"] == 130);
}

TEST_CASE("q on the terminal ends pipe run --watch and gives the terminal back as it was", "[watch][cli]") {
  if (!fs::exists("/usr/bin/tmux")) {
    WARN("skipped: tmux is not installed");
    return;
  }
  WatchRepo w;
  const fs::path o = w.outside.path;
  // A server of the test's own, its socket in the scratch folder, so nothing of it stays.
  const std::string socket = (o / "tmux.sock").string();
  const auto tmux = [&](const std::string& args) { return w.repo.sh("tmux -S " + socket + " -f /dev/null " + args); };
  // The pane's shell saves the terminal's settings, watches with output to files (the terminal
  // stays standard input), then saves the settings again.
  const std::string command = "stty -g > " + (o / "before").string() + "; '" PIPE_EXE
                              "' run --watch --backend host > " + w.out().string() + " 2> " + w.err().string() +
                              "; echo \\$? > " + (o / "code").string() + "; stty -g > " + (o / "after.tmp").string() +
                              "; mv " + (o / "after.tmp").string() + " " + (o / "after").string() + "; sleep 600";
  REQUIRE(tmux("new-session -d -x 100 -y 20 \"" + command + "\"").exit_code == 0);
  struct KillServer {
    std::function<void()> kill;
    ~KillServer() { kill(); }
  } cleanup{[&] { (void)tmux("kill-server"); }};
  REQUIRE_WAIT(wait_for_text(w.err(), "pipe watch: waiting for changes (q or Ctrl-C to stop)"));
  const std::string tty = tmux("display -p '#{pane_tty}'").out;
  const auto watching = run_process({"/bin/stty", "-a", "-F", tty.substr(0, tty.find('\n'))});
  CHECK_THAT(watching.out, Catch::Contains("-icanon"));
  CHECK_THAT(watching.out, Catch::Contains("-echo "));
  REQUIRE(tmux("send-keys q").exit_code == 0);
  REQUIRE(pipeline::test::wait_for_file(o / "after", k_hang_guard));
  CHECK(read_file(o / "code") == "0\n");
  CHECK(read_file(o / "after") == read_file(o / "before"));
}

TEST_CASE("a run cancelled by a newer change leaves no container or network behind", "[watch][cli][docker]") {
  constexpr const char* k_busybox = "pipe-test/busybox:latest";
  auto client = pipeline::runner::docker::EngineClient::connect_from_environment();
  if (!client || !(*client)->image_exists(k_busybox).ok() || !*(*client)->image_exists(k_busybox)) {
    WARN("skipped: no Docker engine answers, or " << k_busybox << " is missing (run tests/images/build.sh)");
    return;
  }
  WatchRepo w;
  const fs::path dir = w.repo.dir();
  w.repo.write(".github/workflows/ci.yml", std::string(R"YAML(on:
  push:
    paths: ['src/**']
jobs:
  build:
    runs-on: ubuntu-latest
    container: )YAML") + k_busybox + R"YAML(
    steps:
      - run: |
          if [ -f src/slow ]; then echo "slow step started"; sleep 600; fi
          echo "build sees $(cat src/main.c)"
)YAML");
  REQUIRE(w.repo.sh("git commit -q -am container").exit_code == 0);
  const int out = open_log(w.out());
  const int err = open_log(w.err());
  const pid_t pid = spawn_child({PIPE_EXE, "run", "--watch", "--backend", "docker"}, dir, ChildStreams{out, err, false});
  ::close(out);
  ::close(err);
  REQUIRE_WAIT(wait_for_text(w.err(), "waiting for changes"));

  write_file(dir / "src" / "slow", "");
  REQUIRE_WAIT(wait_for_text(w.out(), "slow step started"));
  write_file(dir / "src" / "main.c", "v2");
  fs::remove(dir / "src" / "slow");
  REQUIRE_WAIT(wait_for_text(w.out(), "build sees v2"));
  REQUIRE_WAIT(wait_for_text(w.err(), "waiting for changes", 2));
  CHECK_THAT(read_file(w.err()), Catch::Contains("→ cancelling the run to start again\n"));
  ::kill(pid, SIGINT);
  CHECK(wait_child(pid, k_hang_guard) == 130);

  // Every run, the cancelled one included, removed what it created.
  std::size_t runs = 0;
  for (const auto& run : fs::directory_iterator(dir / ".pipe" / "runs")) {
    if (!run.is_directory() || run.is_symlink()) {
      continue;
    }
    ++runs;
    const std::string label = "pipe.run=" + run.path().filename().string();
    INFO(label);
    CHECK((*client)->list_containers(label)->empty());
    CHECK((*client)->list_networks(label)->empty());
  }
  CHECK(runs >= 3);
}
