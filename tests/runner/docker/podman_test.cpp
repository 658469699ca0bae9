// `--backend podman`: which sockets are tried, in which order, and what a user reads when none
// answers. A fake unix socket that answers /_ping and /version as the engine does stands in for
// Podman in the discovery tests; the real-Podman test runs only where podman is installed.
#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "runner/docker/engine_client.hpp"
#include "runner/docker/http.hpp"
#include "support/run_process.hpp"
#include "support/scoped_env.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace pipeline::runner::docker;

using pipeline::test::TempDir;

using pipeline::test::ScopedEnv;

namespace {

/// Sets an environment variable for one scope and restores the previous value.
/// A temp directory removed afterwards (short: unix socket paths are limited to 108 bytes).
/// A unix socket answering `/_ping` and `/version` the way the Docker engine (and Podman's compat API) does;
/// `api_header` is the Api-Version header every answer carries (empty: none, as an old engine).
class FakeEngine {
public:
  explicit FakeEngine(const fs::path& path, std::string api_header = "1.41")
      : m_path(path), m_api_header(std::move(api_header)) {
    fs::create_directories(path.parent_path());
    m_listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    REQUIRE(::bind(m_listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    REQUIRE(::listen(m_listener, 16) == 0);
    m_thread = std::thread([this] { serve(); });
  }
  ~FakeEngine() {
    m_stop = true;
    m_thread.join();
    ::close(m_listener);
    ::unlink(m_path.c_str());
  }
  FakeEngine(const FakeEngine&) = delete;
  FakeEngine& operator=(const FakeEngine&) = delete;

  [[nodiscard]] int requests() const { return m_requests; }

private:
  void serve() {
    while (!m_stop) {
      pollfd fd{m_listener, POLLIN, 0};
      if (::poll(&fd, 1, 20) > 0) {
        const int client = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (client >= 0) {
          answer(client);
          ::close(client);
        }
      }
    }
  }

  void answer(int client) {
    std::string request;
    char buffer[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::read(client, buffer, sizeof buffer);
      if (n <= 0) {
        return;
      }
      request.append(buffer, static_cast<std::size_t>(n));
    }
    ++m_requests;
    const bool ping = request.find(" /_ping ") != std::string::npos;
    const std::string body = ping ? "OK" : R"({"Version":"4.3.1","ApiVersion":"1.40","Os":"linux"})";
    const std::string api = m_api_header.empty() ? "" : "Api-Version: " + m_api_header + "\r\n";
    const std::string reply = "HTTP/1.1 200 OK\r\n" + api + "Server: Docker/20.10.24 (linux)\r\n" +
                              "Content-Type: " + (ping ? "text/plain; charset=utf-8" : "application/json") +
                              "\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    [[maybe_unused]] const auto written = ::write(client, reply.data(), reply.size());
  }

  fs::path m_path;
  std::string m_api_header;
  int m_listener = -1;
  std::atomic<bool> m_stop{false};
  std::atomic<int> m_requests{0};
  std::thread m_thread;
};

}  // namespace

TEST_CASE("podman sockets are tried rootless first then rootful", "[docker][podman]") {
  SECTION("with XDG_RUNTIME_DIR") {
    ScopedEnv runtime("XDG_RUNTIME_DIR", "/run/user/1000");
    CHECK(podman_socket_candidates() ==
          std::vector<std::string>{"/run/user/1000/podman/podman.sock", "/run/podman/podman.sock"});
  }
  SECTION("without XDG_RUNTIME_DIR") {
    ScopedEnv runtime("XDG_RUNTIME_DIR", std::nullopt);
    CHECK(podman_socket_candidates() == std::vector<std::string>{"/run/podman/podman.sock"});
  }
}

TEST_CASE("the first podman socket that answers ping is chosen", "[docker][podman]") {
  TempDir dir("podman");
  const fs::path missing = dir.path / "missing" / "podman.sock";
  const fs::path second = dir.path / "second" / "podman.sock";
  const fs::path third = dir.path / "third" / "podman.sock";
  FakeEngine answering(second);
  FakeEngine also(third);
  auto found = EngineClient::find_answering_socket({missing.string(), second.string(), third.string()});
  REQUIRE(found);
  CHECK(found->unix_path == second.string());
  CHECK(answering.requests() == 1);
  CHECK(also.requests() == 0);
}

TEST_CASE("no answering podman socket is an error naming every path tried", "[docker][podman]") {
  TempDir dir("podman");
  const fs::path missing = dir.path / "podman" / "podman.sock";
  const fs::path stale = dir.path / "stale.sock";  // a socket file nobody listens on any more
  {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, stale.c_str(), sizeof(address.sun_path) - 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    ::close(fd);
  }
  auto found = EngineClient::find_answering_socket({missing.string(), stale.string()});
  REQUIRE_FALSE(found);
  CHECK_THAT(found.error().message, Catch::Contains("no Podman socket answers"));
  CHECK_THAT(found.error().message, Catch::Contains(missing.string()));
  CHECK_THAT(found.error().message, Catch::Contains(stale.string()));
  CHECK_THAT(found.error().message, Catch::Contains("DOCKER_HOST"));
}

TEST_CASE("podman discovery finds the rootless socket under XDG_RUNTIME_DIR", "[docker][podman]") {
  TempDir dir("podman");
  FakeEngine podman(dir.path / "podman" / "podman.sock");
  ScopedEnv host("DOCKER_HOST", std::nullopt);
  ScopedEnv runtime("XDG_RUNTIME_DIR", dir.path.string());
  auto client = EngineClient::connect_to(EngineKind::podman);
  REQUIRE(client);
  CHECK((*client)->endpoint().unix_path == (dir.path / "podman" / "podman.sock").string());
  CHECK((*client)->api_version() == "1.41");
}

TEST_CASE("the API version is the ping's Api-Version header: no /version call", "[docker][podman]") {
  TempDir dir("podman");
  FakeEngine engine(dir.path / "old.sock", "1.39");
  auto endpoint = endpoint_from_host((dir.path / "old.sock").string(), false, "");
  REQUIRE(endpoint);
  auto client = EngineClient::connect(*endpoint);
  REQUIRE(client);
  CHECK((*client)->api_version() == "1.39");
  CHECK(engine.requests() == 1);
}

TEST_CASE("an engine whose ping has no Api-Version header is asked /version", "[docker][podman]") {
  TempDir dir("podman");
  FakeEngine engine(dir.path / "bare.sock", "");
  auto endpoint = endpoint_from_host((dir.path / "bare.sock").string(), false, "");
  REQUIRE(endpoint);
  auto client = EngineClient::connect(*endpoint);
  REQUIRE(client);
  CHECK((*client)->api_version() == "1.40");
  CHECK(engine.requests() == 2);
}

TEST_CASE("DOCKER_HOST wins over podman discovery", "[docker][podman]") {
  TempDir dir("podman");
  FakeEngine rootless(dir.path / "podman" / "podman.sock");
  FakeEngine chosen(dir.path / "chosen.sock");
  ScopedEnv host("DOCKER_HOST", "unix://" + (dir.path / "chosen.sock").string());
  ScopedEnv runtime("XDG_RUNTIME_DIR", dir.path.string());
  auto client = EngineClient::connect_to(EngineKind::podman);
  REQUIRE(client);
  CHECK((*client)->endpoint().unix_path == (dir.path / "chosen.sock").string());
  CHECK(rootless.requests() == 0);
}

TEST_CASE("pipe run --backend podman without a socket names the paths it tried", "[docker][podman]") {
  if (fs::exists("/run/podman/podman.sock")) {
    WARN("skipped: /run/podman/podman.sock exists here, so discovery would not fail");
    return;
  }
  TempDir dir("podman");
  std::ofstream(dir.path / "workflow.yml") << "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n";
  const std::string script = "unset DOCKER_HOST; export XDG_RUNTIME_DIR='" + dir.path.string() + "'; exec '" +
                             PIPE_EXE + "' run workflow.yml --backend podman";
  const auto result = pipeline::test::run_process({"/bin/sh", "-c", script}, dir.path.string());
  INFO(result.out + result.err);
  CHECK(result.exit_code != 0);
  CHECK_THAT(result.out + result.err, Catch::Contains((dir.path / "podman" / "podman.sock").string()));
  CHECK_THAT(result.out + result.err, Catch::Contains("/run/podman/podman.sock"));
}

TEST_CASE("a fixture runs through a real podman socket", "[docker][podman]") {
  if (::system("command -v podman >/dev/null 2>&1") != 0) {
    WARN("skipped: podman is not installed (Debian's podman pulls in conmon, crun and containers-common; .ci/setup does not install it)");
    return;
  }
  auto endpoint = EngineClient::find_answering_socket(podman_socket_candidates());
  if (!endpoint) {
    WARN("skipped: podman is installed but its API socket does not answer: " + endpoint.error().message);
    return;
  }
  TempDir dir("podman");
  std::ofstream(dir.path / "workflow.yml")
      << "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"podman says $((20 + 22))\"\n";
  const auto result = pipeline::test::run_process(
      {PIPE_EXE, "run", "workflow.yml", "--backend", "podman", "-P", "ubuntu-latest=docker.io/library/busybox:latest"},
      dir.path.string());
  INFO(result.out + result.err);
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("podman says 42"));
}
