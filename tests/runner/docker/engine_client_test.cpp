#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/docker/engine_client.hpp"
#include "support/split_sink.hpp"

using namespace pipeline::runner;
using namespace pipeline::runner::docker;
using pipeline::test::SplitSink;

namespace {

// Copies bytes both ways between a TCP client and the engine's unix socket, half-closes included.
void pump(int a, int b) {
  pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
  bool open[2] = {true, true};
  char buffer[65536];
  while (open[0] || open[1]) {
    if (::poll(fds, 2, 10000) <= 0) {
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (!open[i] || (fds[i].revents & (POLLIN | POLLHUP)) == 0) {
        continue;
      }
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        open[i] = false;
        fds[i].events = 0;
        ::shutdown(fds[1 - i].fd, SHUT_WR);
      } else if (::write(fds[1 - i].fd, buffer, static_cast<size_t>(n)) != n) {
        open[0] = open[1] = false;
      }
    }
  }
  ::close(a);
  ::close(b);
}

// A loopback TCP port forwarding to a unix socket: exercises the tcp:// transport without TLS.
class TcpProxy {
public:
  explicit TcpProxy(std::string unix_path) : m_unix_path(std::move(unix_path)) {
    m_listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ::bind(m_listener, reinterpret_cast<sockaddr*>(&address), length);
    ::listen(m_listener, 16);
    ::getsockname(m_listener, reinterpret_cast<sockaddr*>(&address), &length);
    port = ntohs(address.sin_port);
    m_acceptor = std::thread([this] { accept_loop(); });
  }
  ~TcpProxy() {
    m_stop = true;
    m_acceptor.join();
    ::close(m_listener);
    for (auto& worker : m_workers) {
      worker.join();
    }
  }
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;
  int port = 0;

private:
  void accept_loop() {
    while (!m_stop) {
      pollfd fd{m_listener, POLLIN, 0};
      if (::poll(&fd, 1, 50) <= 0) {
        continue;
      }
      const int client = ::accept(m_listener, nullptr, nullptr);
      const int engine = ::socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un address{};
      address.sun_family = AF_UNIX;
      m_unix_path.copy(address.sun_path, sizeof address.sun_path - 1);
      if (::connect(engine, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(client);
        ::close(engine);
        continue;
      }
      m_workers.emplace_back(pump, client, engine);
    }
  }
  std::string m_unix_path;
  int m_listener = -1;
  std::atomic<bool> m_stop{false};
  std::thread m_acceptor;
  std::vector<std::thread> m_workers;
};

}  // namespace

TEST_CASE("DOCKER_HOST values name an endpoint", "[docker][endpoint]") {
  struct Case {
    std::string host;
    bool tls;
    std::string display, unix_path, base_url;
  };
  const std::vector<Case> cases = {
      {"unix:///var/run/docker.sock", false, "/var/run/docker.sock", "/var/run/docker.sock", "http://localhost"},
      {"/run/podman/podman.sock", false, "/run/podman/podman.sock", "/run/podman/podman.sock", "http://localhost"},
      {"tcp://10.0.0.5:2375", false, "tcp://10.0.0.5:2375", "", "http://10.0.0.5:2375"},
      {"tcp://docker:2376/", true, "tcp://docker:2376/", "", "https://docker:2376"},
  };
  for (const auto& c : cases) {
    INFO(c.host);
    auto endpoint = endpoint_from_host(c.host, c.tls, "/certs");
    REQUIRE(endpoint.ok());
    CHECK(endpoint->display == c.display);
    CHECK(endpoint->unix_path == c.unix_path);
    CHECK(endpoint->base_url == c.base_url);
    CHECK(endpoint->tls == c.tls);
  }
  auto bad = endpoint_from_host("ssh://user@host", false, "");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "unsupported DOCKER_HOST 'ssh://user@host': expected unix:///path or tcp://host:port");
}

TEST_CASE("a refused tcp endpoint fails quickly naming it", "[docker][endpoint]") {
  auto endpoint = endpoint_from_host("tcp://127.0.0.1:1", false, "");
  REQUIRE(endpoint.ok());
  auto client = EngineClient::connect(*endpoint);
  REQUIRE_FALSE(client.ok());
  CHECK_THAT(client.error().message, Catch::StartsWith("cannot connect to the Docker engine at tcp://127.0.0.1:1: "));
}

TEST_CASE("the tcp transport runs an attached exec", "[docker]") {
  auto local = EngineClient::connect_from_environment();
  if (!local || (*local)->endpoint().unix_path.empty()) {
    WARN("skipped: no Docker engine answers on a unix socket (start dockerd; .ci/setup does)");
    return;
  }
  auto present = (*local)->image_exists("pipe-test/busybox:latest");
  if (!present || !*present) {
    WARN("skipped: image pipe-test/busybox:latest is missing (run tests/images/build.sh)");
    return;
  }
  TcpProxy proxy((*local)->endpoint().unix_path);
  auto endpoint = endpoint_from_host("tcp://127.0.0.1:" + std::to_string(proxy.port), false, "");
  REQUIRE(endpoint.ok());
  auto client = EngineClient::connect(*endpoint);
  REQUIRE(client.ok());
  const nlohmann::json body{{"Image", "pipe-test/busybox:latest"}, {"Entrypoint", {"tail"}}, {"Cmd", {"-f", "/dev/null"}},
                            {"Labels", pipe_labels("tcp-test", "job")}, {"HostConfig", {{"Init", true}}}};
  auto id = (*client)->create_container(body);
  REQUIRE(id.ok());
  REQUIRE((*client)->start_container(*id).ok());
  auto exec_id = (*client)->create_exec(*id, ExecConfig{{"sh", "-c", "echo out; echo err >&2; exit 4"}, {}, "", ""});
  REQUIRE(exec_id.ok());
  SplitSink sink;
  auto ended = (*client)->start_exec(*exec_id, sink, {});
  auto info = (*client)->inspect_exec(*exec_id);
  REQUIRE((*client)->remove_container(*id).ok());
  REQUIRE(ended.ok());
  CHECK(*ended == StreamEnd::finished);
  REQUIRE(info.ok());
  CHECK(info->exit_code == 4);
  CHECK(sink.out == "out\n");
  CHECK(sink.err == "err\n");
}
