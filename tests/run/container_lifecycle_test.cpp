// Container lifecycles through the real `pipe run`: containers kept by --reuse, and an engine that
// goes away in the middle of a step (a proxy in front of the real socket is killed).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "runner/docker/engine_client.hpp"
#include "support/child_process.hpp"
#include "support/docker_engine.hpp"
#include "support/run_process.hpp"

namespace fs = std::filesystem;
using pipeline::runner::docker::EngineClient;
using pipeline::test::open_log;
using pipeline::test::run_process;
using pipeline::test::spawn_child;
using pipeline::test::wait_child;
using pipeline::test::wait_for_file;

namespace {

/// Removes the host temp directories of run `id` (`pipe-run-<pid>-<id>`) that a killed run left.
void remove_run_dirs(const std::string& id) {
  for (const auto& entry : fs::directory_iterator(fs::temp_directory_path())) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("pipe-run-", 0) == 0 && name.size() > id.size() &&
        name.compare(name.size() - id.size(), id.size(), id) == 0) {
      fs::remove_all(entry.path());
    }
  }
}

constexpr const char* k_engine_socket = "/var/run/docker.sock";
constexpr const char* k_busybox = "pipe-test/busybox:latest";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

int connect_unix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// A scratch repository holding one workflow, removed afterwards.
struct ScratchRepo {
  fs::path path;
  ScratchRepo(const std::string& name, const std::string& workflow) {
    path = fs::temp_directory_path() / ("pipe-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
    std::ofstream(path / "workflow.yml") << workflow;
  }
  ~ScratchRepo() { fs::remove_all(path); }
  ScratchRepo(const ScratchRepo&) = delete;
  ScratchRepo& operator=(const ScratchRepo&) = delete;

  [[nodiscard]] std::string workflow() const { return (path / "workflow.yml").string(); }

  /// The ids of the runs recorded so far.
  [[nodiscard]] std::vector<std::string> runs() const {
    std::vector<std::string> ids;
    for (const auto& entry : fs::directory_iterator(path / ".pipe" / "runs")) {
      if (entry.is_directory() && !entry.is_symlink()) {
        ids.push_back(entry.path().filename().string());
      }
    }
    return ids;
  }
};

/// The text after `key=` on the first line that has it.
std::string value_after(const std::string& output, const std::string& key) {
  std::smatch match;
  const std::regex pattern(key + "=([^\\s]*)");
  return std::regex_search(output, match, pattern) ? match[1].str() : std::string();
}

/// Starts `argv` in `dir` with its output in `log` and `extra_env` added, and waits until its
/// step has created `dir/started`.
pid_t spawn_started(const std::vector<std::string>& argv, const fs::path& dir, const fs::path& log,
                    const std::vector<std::pair<std::string, std::string>>& extra_env = {}) {
  const int fd = open_log(log);
  REQUIRE(fd >= 0);
  const pid_t pid = spawn_child(argv, dir, {fd, fd}, extra_env);
  ::close(fd);
  REQUIRE(wait_for_file(dir / "started", std::chrono::seconds(60)));
  return pid;
}

std::vector<std::string> container_ids(EngineClient& client, const std::string& label) {
  std::vector<std::string> ids;
  auto found = client.list_containers(label);
  REQUIRE(found);
  for (const auto& item : *found) {
    ids.push_back(item.id);
  }
  return ids;
}

/// A unix socket forwarding every connection to the engine's socket. kill() closes the listener
/// and every open connection at once: what a client sees when dockerd dies.
class EngineProxy {
public:
  EngineProxy(std::string path, std::string target) : m_path(std::move(path)), m_target(std::move(target)) {
    ::unlink(m_path.c_str());
    m_listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, m_path.c_str(), sizeof(address.sun_path) - 1);
    REQUIRE(::bind(m_listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    REQUIRE(::listen(m_listener, 64) == 0);
    m_acceptor = std::thread([this] { accept_loop(); });
  }
  ~EngineProxy() { kill(); }
  EngineProxy(const EngineProxy&) = delete;
  EngineProxy& operator=(const EngineProxy&) = delete;

  /// Stops forwarding without closing anything: an engine that hangs instead of dying.
  void freeze() { m_frozen = true; }

  void kill() {
    if (m_stopped.exchange(true)) {
      return;
    }
    m_acceptor.join();
    ::close(m_listener);
    ::unlink(m_path.c_str());
    std::lock_guard lock(m_mutex);
    for (auto& pump : m_pumps) {
      pump.join();
    }
    for (const int fd : m_held) {
      ::close(fd);
    }
  }

private:
  void accept_loop() {
    while (!m_stopped) {
      pollfd fd{m_listener, POLLIN, 0};
      if (::poll(&fd, 1, 20) <= 0) {
        continue;
      }
      const int client = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (client >= 0 && m_frozen) {
        std::lock_guard lock(m_mutex);
        m_held.push_back(client);  // accepted, never answered
        continue;
      }
      const int upstream = client < 0 ? -1 : connect_unix(m_target);
      if (upstream < 0) {
        ::close(client);
        continue;
      }
      std::lock_guard lock(m_mutex);
      m_pumps.emplace_back([this, client, upstream] { pump(client, upstream); });
    }
  }

  void pump(int a, int b) {
    pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    char buffer[65536];
    bool open = true;
    while (open && !m_stopped) {
      if (m_frozen) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      if (::poll(fds, 2, 20) <= 0) {
        continue;
      }
      for (int i = 0; i < 2 && open; ++i) {
        if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
          continue;
        }
        const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
        open = n > 0 && ::write(fds[1 - i].fd, buffer, static_cast<size_t>(n)) == n;
      }
    }
    ::close(a);
    ::close(b);
  }

  std::string m_path;
  std::string m_target;
  int m_listener = -1;
  std::atomic<bool> m_stopped{false};
  std::atomic<bool> m_frozen{false};
  std::vector<int> m_held;
  std::thread m_acceptor;
  std::mutex m_mutex;
  std::vector<std::thread> m_pumps;
};

const char* const k_reuse_workflow = R"yaml(on: push
jobs:
  keep:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "host=$(hostname)"
          echo "marker=$(cat /root/marker 2>/dev/null || echo none)"
          echo "sleepers=$(ps | grep -c '[s]leep 3141')"
          echo seen > /root/marker
          sleep 3141 >/dev/null 2>&1 &
)yaml";

const char* const k_reuse_network_workflow = R"yaml(on: push
jobs:
  talk:
    runs-on: ubuntu-latest
    container: pipe-test/busybox:latest
    services:
      cache:
        image: pipe-test/redis:latest
        options: --health-cmd "redis-cli ping" --health-interval 1s --health-retries 30
    steps:
      - run: printf 'PING\r\n' | nc -w 5 cache 6379
)yaml";

const char* const k_reuse_cancel_workflow = R"yaml(on: push
jobs:
  wait:
    runs-on: ubuntu-latest
    container: pipe-test/busybox:latest
    services:
      cache:
        image: pipe-test/redis:latest
    steps:
      - run: touch "$GITHUB_WORKSPACE/started"; sleep 60
)yaml";

// The step holds (until the test creates `go`) when the test created `hold` before the run.
const char* const k_reuse_busy_workflow = R"yaml(on: push
jobs:
  busy:
    runs-on: ubuntu-latest
    steps:
      - run: |
          cd "$GITHUB_WORKSPACE"
          echo "marker=$(cat /root/busy 2>/dev/null || echo none)"
          echo seen > /root/busy
          if [ -e hold ]; then
            rm hold
            touch started
            while [ ! -e go ]; do sleep 0.1; done
            rm go
          fi
)yaml";

/// Starts `argv` in `repo` (k_reuse_busy_workflow) with its output in `log`, and waits until its step holds.
pid_t start_held(const ScratchRepo& repo, const std::vector<std::string>& argv, const std::string& log) {
  fs::remove(repo.path / "started");
  std::ofstream(repo.path / "hold").put('\n');
  return spawn_started(argv, repo.path, repo.path / log);
}

/// Lets the held step of `pid` end; returns the run's output once it has exited with code 0.
std::string finish_held(const ScratchRepo& repo, pid_t pid, const std::string& log) {
  std::ofstream(repo.path / "go").put('\n');
  const int code = wait_child(pid, std::chrono::seconds(60));
  const std::string output = read_text(repo.path / log);
  INFO(output);
  CHECK(code == 0);
  return output;
}

/// A second --reuse run of a job whose kept container a live run is using runs in a fresh
/// container and leaves nothing behind; the kept container stays the live run's.
void check_busy_key_runs_fresh(EngineClient& client, const ScratchRepo& busy, const std::vector<std::string>& run) {
  const std::string label = "pipe.reuse.workflow=" + busy.workflow();
  const pid_t pid = start_held(busy, run, "first.txt");
  const auto kept = container_ids(client, label);
  CHECK(kept.size() == 1);
  const auto second = run_process(run, busy.path.string());
  INFO(second.out + second.err);
  CHECK(second.exit_code == 0);
  CHECK_THAT(second.out, Catch::Contains("--reuse: the kept container of busy is in use by another run; "
                                         "this job runs in a fresh container"));
  CHECK(value_after(second.out, "marker") == "none");  // not the first's container: it wrote the marker
  // The first run's step was not killed by the second's job end: it ends, and the run succeeds.
  const std::string first = finish_held(busy, pid, "first.txt");
  CHECK(value_after(first, "marker") == "none");
  CHECK(container_ids(client, label) == kept);
  for (const auto& id : busy.runs()) {
    const auto left = container_ids(client, "pipe.run=" + id);
    CHECK((left.empty() || left == kept));
    CHECK(client.list_networks("pipe.run=" + id)->empty());
    std::vector<std::string> run_dirs;
    for (const auto& entry : fs::directory_iterator(fs::temp_directory_path())) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("pipe-run-", 0) == 0 && name.find(id) != std::string::npos) {
        run_dirs.push_back(name);
      }
    }
    CHECK(run_dirs.empty());
  }
}

/// Removes what the repository's one recorded run left (through the real engine) and checks
/// that none of its containers, networks or host directories remain.
void clean_the_only_run(EngineClient& client, const ScratchRepo& repo) {
  const auto runs = repo.runs();
  REQUIRE(runs.size() == 1);
  const auto clean = run_process({PIPE_EXE, "clean", "--run", runs.front()}, repo.path.string());
  INFO(clean.out + clean.err);
  CHECK(clean.exit_code == 0);
  CHECK(container_ids(client, "pipe.run=" + runs.front()).empty());
  CHECK(client.list_networks("pipe.run=" + runs.front())->empty());
  remove_run_dirs(runs.front());
}

}  // namespace

TEST_CASE("pipe run --reuse keeps a job container between runs and pipe clean removes it", "[run][docker][reuse]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  ScratchRepo repo("keep", k_reuse_workflow);
  const std::string label = "pipe.reuse.workflow=" + repo.workflow();
  const std::vector<std::string> run{PIPE_EXE, "run", "workflow.yml", "--backend", "docker", "--reuse", "-P",
                                     std::string("ubuntu-latest=") + k_busybox};

  const auto first = run_process(run, repo.path.string());
  INFO(first.out + first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(value_after(first.out, "marker") == "none");
  const auto kept = container_ids(*client, label);
  REQUIRE(kept.size() == 1);

  // The second run execs into the same container: the file the first wrote outside the
  // workspace is there, the background process the first left behind is not.
  const auto second = run_process(run, repo.path.string());
  INFO(second.out + second.err);
  REQUIRE(second.exit_code == 0);
  CHECK(value_after(second.out, "marker") == "seen");
  CHECK(value_after(second.out, "sleepers") == "0");
  CHECK(value_after(second.out, "host") == value_after(first.out, "host"));
  CHECK(container_ids(*client, label) == kept);
  CHECK_THAT(second.out, Catch::Contains("reusing container " + kept.front().substr(0, 12)));

  // Another configuration (here an extra option) replaces the container instead of reusing it.
  auto changed = run;
  changed.insert(changed.end(), {"--container-options", "--env PIPE_REUSE_TEST=1"});
  const auto third = run_process(changed, repo.path.string());
  INFO(third.out + third.err);
  REQUIRE(third.exit_code == 0);
  CHECK(value_after(third.out, "marker") == "none");
  const auto replaced = container_ids(*client, label);
  REQUIRE(replaced.size() == 1);
  CHECK(replaced != kept);
  CHECK_THAT(third.out, Catch::Contains("replacing kept container " + kept.front().substr(0, 12)));

  // A normal run's cleanup of dead runs leaves kept containers alone.
  ScratchRepo other("keep-other", "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n");
  const auto plain = run_process({PIPE_EXE, "run", "workflow.yml", "--backend", "docker", "-P",
                                  std::string("ubuntu-latest=") + k_busybox},
                                 other.path.string());
  CHECK(plain.exit_code == 0);
  CHECK(container_ids(*client, label) == replaced);

  // A kept `container:` job container joins each run's network, so its service answers by alias every time.
  ScratchRepo network("keep-network", k_reuse_network_workflow);
  std::vector<std::string> network_ids;
  for (int i = 0; i < 2; ++i) {
    const auto talked = run_process({PIPE_EXE, "run", "workflow.yml", "--backend", "docker", "--reuse"},
                                    network.path.string());
    INFO(talked.out + talked.err);
    CHECK(talked.exit_code == 0);
    CHECK_THAT(talked.out, Catch::Contains("+PONG"));
    CHECK_THAT(talked.out + talked.err, !Catch::Contains("teardown:"));
    const auto ids = container_ids(*client, "pipe.reuse.workflow=" + network.workflow());
    CHECK(ids.size() == 1);
    network_ids.insert(network_ids.end(), ids.begin(), ids.end());
  }
  CHECK((network_ids.size() == 2 && network_ids[0] == network_ids[1]));
  for (const auto& id : network.runs()) {
    CHECK(client->list_networks("pipe.run=" + id)->empty());
  }

  // Ctrl-C in a --reuse run of a `container:` job with a service: the service and the job's
  // network go, the kept container stays (and leaves the network).
  ScratchRepo cancel("keep-cancel", k_reuse_cancel_workflow);
  const pid_t pid = spawn_started({PIPE_EXE, "run", "--backend", "docker", "--reuse", "workflow.yml"}, cancel.path,
                                  cancel.path / "out.txt");
  ::kill(pid, SIGINT);
  const int code = wait_child(pid, std::chrono::seconds(30));
  INFO(read_text(cancel.path / "out.txt"));
  REQUIRE(code != -1);
  CHECK(code == 130);
  const auto runs = cancel.runs();
  REQUIRE(runs.size() == 1);
  const auto left = client->list_containers("pipe.run=" + runs.front());
  REQUIRE(left);
  REQUIRE(left->size() == 1);
  CHECK(left->front().labels.count("pipe.reuse") == 1);
  // Each kept container's host directory (its temp dirs' bind mount) stays until pipe clean.
  std::vector<fs::path> kept_dirs{left->front().labels.at("pipe.reuse.dir")};
  auto first_kept = client->list_containers(label);
  REQUIRE(first_kept);
  for (const auto& item : *first_kept) {
    kept_dirs.emplace_back(item.labels.at("pipe.reuse.dir"));
  }
  for (const auto& dir : kept_dirs) {
    CHECK(fs::is_directory(dir));
  }
  CHECK(client->list_networks("pipe.run=" + runs.front())->empty());

  // Two --reuse runs of one job at once: the later one runs in a fresh container.
  ScratchRepo busy("keep-busy", k_reuse_busy_workflow);
  const std::vector<std::string> busy_run{PIPE_EXE, "run", "workflow.yml", "--backend", "docker", "--reuse", "-P",
                                          std::string("ubuntu-latest=") + k_busybox};
  check_busy_key_runs_fresh(*client, busy, busy_run);
  const std::string busy_label = "pipe.reuse.workflow=" + busy.workflow();
  const auto busy_kept = client->list_containers(busy_label);
  REQUIRE(busy_kept);
  REQUIRE(busy_kept->size() == 1);
  const fs::path busy_dir = busy_kept->front().labels.at("pipe.reuse.dir");
  kept_dirs.push_back(busy_dir);

  // pipe clean removes kept containers and says so, except the one a live run is using; nothing
  // of these runs remains once that run has ended and pipe clean runs again.
  const pid_t held = start_held(busy, busy_run, "held.txt");
  const auto clean = run_process({PIPE_EXE, "clean"}, repo.path.string());
  INFO(clean.out + clean.err);
  CHECK(clean.exit_code == 0);
  CHECK_THAT(clean.out, Catch::Contains("kept by --reuse"));
  CHECK_THAT(clean.out, Catch::Contains("kept container " + busy_kept->front().name.substr(1) +
                                        " is in use by a running pipe; left in place"));
  CHECK(container_ids(*client, busy_label) == std::vector<std::string>{busy_kept->front().id});
  CHECK(fs::is_directory(busy_dir));
  const std::string held_output = finish_held(busy, held, "held.txt");
  CHECK(value_after(held_output, "marker") == "seen");
  CHECK_THAT(held_output, Catch::Contains("reusing container " + busy_kept->front().id.substr(0, 12)));
  const auto again = run_process({PIPE_EXE, "clean"}, repo.path.string());
  INFO(again.out + again.err);
  CHECK(again.exit_code == 0);
  // Only this test's containers: a hook or run of another test may hold its own kept one now.
  CHECK_THAT(again.out, !Catch::Contains(busy_kept->front().name.substr(1)));
  CHECK(container_ids(*client, busy_label).empty());
  CHECK_FALSE(fs::exists(busy_dir.string() + ".lock"));
  CHECK(container_ids(*client, label).empty());
  CHECK(container_ids(*client, "pipe.reuse.workflow=" + cancel.workflow()).empty());
  CHECK(container_ids(*client, "pipe.reuse.workflow=" + network.workflow()).empty());
  for (const auto& id : repo.runs()) {
    CHECK(container_ids(*client, "pipe.run=" + id).empty());
    CHECK(client->list_networks("pipe.run=" + id)->empty());
  }
  CHECK(container_ids(*client, "pipe.run=" + runs.front()).empty());
  for (const auto& dir : kept_dirs) {
    CHECK_FALSE(fs::exists(dir));
  }
}

TEST_CASE("an engine that dies mid-step fails the run quickly and names its socket", "[run][docker][engine-death]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  ScratchRepo repo("engine-death", R"yaml(on: push
jobs:
  wait:
    runs-on: ubuntu-latest
    container: pipe-test/busybox:latest
    services:
      cache:
        image: pipe-test/redis:latest
    steps:
      - run: touch "$GITHUB_WORKSPACE/started"; sleep 60
      - run: echo "second step ran $((6 * 7))"
)yaml");
  const std::string socket = (fs::temp_directory_path() / ("pipe-proxy-" + std::to_string(::getpid()) + ".sock")).string();
  EngineProxy proxy(socket, k_engine_socket);
  const pid_t pid = spawn_started({PIPE_EXE, "run", "--backend", "docker", "--no-engine-socket", "workflow.yml"},
                                  repo.path, repo.path / "out.txt", {{"DOCKER_HOST", "unix://" + socket}});
  proxy.kill();
  const int code = wait_child(pid, std::chrono::seconds(60));
  const std::string output = read_text(repo.path / "out.txt");
  INFO(output);
  CHECK(code != -1);  // the run ended long before its 60 s step would have
  REQUIRE((code >= 0 && code < 256));  // no crash, no signal
  CHECK(code != 0);
  CHECK_THAT(output, Catch::Contains(socket));
  CHECK_THAT(output, !Catch::Contains("second step ran 42"));

  // What the run could not remove through the dead socket goes through the real one.
  clean_the_only_run(*client, repo);
}

TEST_CASE("Ctrl-C with an engine that stopped answering ends the run within seconds", "[run][docker][engine-death]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  ScratchRepo repo("engine-hang", R"yaml(on: push
jobs:
  wait:
    runs-on: ubuntu-latest
    steps:
      - run: touch "$GITHUB_WORKSPACE/started"; sleep 120
)yaml");
  const std::string socket = (fs::temp_directory_path() / ("pipe-hung-" + std::to_string(::getpid()) + ".sock")).string();
  EngineProxy proxy(socket, k_engine_socket);
  const pid_t pid = spawn_started({PIPE_EXE, "run", "workflow.yml", "--backend", "docker", "-P",
                                   std::string("ubuntu-latest=") + k_busybox},
                                  repo.path, repo.path / "out.txt", {{"DOCKER_HOST", "unix://" + socket}});
  proxy.freeze();
  ::kill(pid, SIGINT);
  const int code = wait_child(pid, std::chrono::seconds(100));
  proxy.kill();
  const std::string output = read_text(repo.path / "out.txt");
  INFO(output);
  // One brief call (15 s) times out; every later one at the job's end fails at once, so the run
  // ends well before its 120 s step would have.
  CHECK(code != -1);
  CHECK(code == 130);
  CHECK_THAT(output, Catch::Contains(socket));

  clean_the_only_run(*client, repo);
}
