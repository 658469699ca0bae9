// Runs every fixtures/workflows/<case>/ through the real `pipe run` on the host backend and
// checks what expect.json says: exit code, output, order, job results, secrets left behind.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cstring>
#include <algorithm>
#include <sys/wait.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "runner/docker/engine_client.hpp"
#include "support/run_process.hpp"

namespace fs = std::filesystem;
using pipeline::test::run_process;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

/// A scratch copy of a fixture case, removed afterwards.
struct CaseDir {
  fs::path path;
  explicit CaseDir(const std::string& name) {
    path = fs::temp_directory_path() / ("pipe-fixture-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::copy(fs::path(PIPE_FIXTURES_DIR) / "workflows" / name, path, fs::copy_options::recursive);
  }
  ~CaseDir() { fs::remove_all(path); }
  CaseDir(const CaseDir&) = delete;
  CaseDir& operator=(const CaseDir&) = delete;
};

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(fs::path(PIPE_FIXTURES_DIR) / "workflows")) {
    if (fs::exists(entry.path() / "expect.json")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// Every file under `dir` that contains `needle`.
std::vector<std::string> files_containing(const fs::path& dir, const std::string& needle) {
  std::vector<std::string> hits;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename() != "expect.json" &&
        read_text(entry.path()).find(needle) != std::string::npos) {
      hits.push_back(entry.path().string());
    }
  }
  return hits;
}

/// True while `pid` exists and is not a zombie waiting for a parent that will never reap it.
bool process_alive(int pid) {
  const std::string status = read_text("/proc/" + std::to_string(pid) + "/status");
  return !status.empty() && status.find("State:\tZ") == std::string::npos;
}

/// True when a Docker engine answers on its default socket (tests that need one skip otherwise).
bool engine_answers() {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, "/var/run/docker.sock", sizeof(address.sun_path) - 1);
  const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return connected;
}

nlohmann::json job_results(const fs::path& dir) {
  const auto run = nlohmann::json::parse(read_text(dir / ".pipe" / "runs" / "latest" / "run.json"));
  nlohmann::json results = nlohmann::json::object();
  for (const auto& job : run["jobs"]) {
    results[job["name"].get<std::string>()] = job["result"];
  }
  return results;
}

}  // namespace

/// Runs every fixture meant for `backend` and checks its expect.json.
void run_fixtures(const std::string& backend) {
  const auto names = case_names();
  REQUIRE(names.size() >= 10);
  for (const auto& name : names) {
    CaseDir dir(name);
    const auto expect = nlohmann::json::parse(read_text(dir.path / "expect.json"));
    const auto backends = expect.value("backends", nlohmann::json::array({"host", "docker"}));
    if (std::find(backends.begin(), backends.end(), backend) == backends.end()) {
      continue;
    }
    DYNAMIC_SECTION(name << " on " << backend) {
      std::vector<std::string> argv{PIPE_EXE, "run", "--backend", backend, "workflow.yml"};
      for (const auto& arg : expect.value("args", nlohmann::json::array())) {
        argv.push_back(arg.get<std::string>());
      }
      const auto result = run_process(argv, dir.path.string());
      const std::string output = result.out + result.err;
      INFO(output);
      CHECK(result.exit_code == expect["exit"].get<int>());
      for (const auto& text : expect.value("contains", nlohmann::json::array())) {
        CHECK_THAT(output, Catch::Contains(text.get<std::string>()));
      }
      for (const auto& text : expect.value("not_contains", nlohmann::json::array())) {
        CHECK_THAT(output, !Catch::Contains(text.get<std::string>()));
      }
      std::size_t position = 0;
      for (const auto& text : expect.value("order", nlohmann::json::array())) {
        const auto found = output.find(text.get<std::string>(), position);
        CHECK(found != std::string::npos);
        position = found == std::string::npos ? position : found;
      }
      if (expect.contains("jobs")) {
        CHECK(job_results(dir.path) == expect["jobs"]);
      }
      for (const auto& secret : expect.value("secrets", nlohmann::json::array())) {
        CHECK(files_containing(dir.path, secret.get<std::string>()).empty());
      }
      if (backend == "docker") {
        // Nothing the run created may outlive it: no container, no network with its label.
        const auto run = nlohmann::json::parse(read_text(dir.path / ".pipe" / "runs" / "latest" / "run.json"));
        auto client = pipeline::runner::docker::EngineClient::connect_from_environment();
        REQUIRE(client);
        const std::string label = "pipe.run=" + run["id"].get<std::string>();
        CHECK((*client)->list_containers(label)->empty());
        CHECK((*client)->list_networks(label)->empty());
      }
    }
  }
}

TEST_CASE("fixture workflows run on the host as GitHub would run them", "[run][fixtures]") {
  run_fixtures("host");
}

TEST_CASE("fixture workflows run in containers as GitHub would run them", "[run][fixtures][docker]") {
  if (!engine_answers()) {
    WARN("skipped: no Docker engine answers on /var/run/docker.sock");
    return;
  }
  run_fixtures("docker");
}

TEST_CASE("Ctrl-C cancels a run, runs always() steps and exits 130", "[run][signals]") {
  CaseDir dir("cancel");
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string log = (dir.path / "out.txt").string();
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    if (chdir(dir.path.c_str()) != 0) {
      _exit(127);
    }
    execl(PIPE_EXE, PIPE_EXE, "run", "--backend", "host", "workflow.yml", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until the long step is running (it writes a marker file), then press Ctrl-C once.
  const fs::path marker = dir.path / "started";
  for (int i = 0; i < 200 && !fs::exists(marker); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(fs::exists(marker));
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  const std::string output = read_text(dir.path / "out.txt");
  INFO(output);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  CHECK_THAT(output, Catch::Contains("cleanup after cancel"));
  CHECK_THAT(output, !Catch::Contains("never printed"));
  // The sleep the step started must be gone: its pid was written by the step.
  const int sleeper = std::stoi(read_text(dir.path / "started"));
  CHECK_FALSE(process_alive(sleeper));
  CHECK(job_results(dir.path)["cancel"] == "cancelled");
}

TEST_CASE("the next run removes the containers of a run that was killed", "[run][docker]") {
  if (!engine_answers()) {
    WARN("skipped: no Docker engine answers on /var/run/docker.sock");
    return;
  }
  CaseDir dir("cancel");
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    if (chdir(dir.path.c_str()) != 0) {
      _exit(127);
    }
    execl(PIPE_EXE, PIPE_EXE, "run", "--backend", "docker", "workflow.yml", static_cast<char*>(nullptr));
    _exit(127);
  }
  const fs::path marker = dir.path / "started";
  for (int i = 0; i < 600 && !fs::exists(marker); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(fs::exists(marker));
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  std::string killed_run;
  for (const auto& entry : fs::directory_iterator(dir.path / ".pipe" / "runs")) {
    if (entry.is_directory() && !entry.is_symlink()) {
      killed_run = entry.path().filename().string();
    }
  }
  REQUIRE_FALSE(killed_run.empty());
  auto client = pipeline::runner::docker::EngineClient::connect_from_environment();
  REQUIRE(client);
  const std::string label = "pipe.run=" + killed_run;
  CHECK_FALSE((*client)->list_containers(label)->empty());  // kill -9 left its job container

  fs::remove(dir.path / "workflow.yml");
  std::ofstream(dir.path / "workflow.yml") << "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n";
  const auto result = run_process({PIPE_EXE, "run", "--backend", "docker", "workflow.yml"}, dir.path.string());
  INFO(result.out + result.err);
  CHECK(result.exit_code == 0);
  // The removal notice is not checked: under `ctest -j` another test's run may clean up first.
  CHECK((*client)->list_containers(label)->empty());
  CHECK((*client)->list_networks(label)->empty());
  // The killed run never reached teardown; the next run removed its host temp dir too.
  for (const auto& entry : fs::directory_iterator(fs::temp_directory_path())) {
    const std::string name = entry.path().filename().string();
    CHECK_FALSE((name.rfind("pipe-run-", 0) == 0 && name.find(killed_run) != std::string::npos));
  }
}
