// `pipe-agent --listen PATH`: the agent a kept container's own process starts, serving each
// connection to its unix socket with the same frames as the stdio agent.
#include <catch2/catch.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "runner/agent/agent_blob.hpp"
#include "runner/agent/protocol.hpp"

using namespace pipeline::runner::agent;
namespace fs = std::filesystem;

namespace {

// A short owner-only directory holding the embedded agent (unix socket paths take 107 bytes).
struct AgentDir {
  fs::path dir;
  fs::path agent;
  AgentDir() {
    std::string pattern = "/tmp/pal-XXXXXX";
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    agent = dir / "pipe-agent";
    const std::string_view bytes = agent_binary();
    std::ofstream(agent, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    fs::permissions(agent, fs::perms::owner_all);
  }
  ~AgentDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  AgentDir(const AgentDir&) = delete;
  AgentDir& operator=(const AgentDir&) = delete;
};

// The agent listening on `socket`, killed at the end.
class Listener {
public:
  Listener(const fs::path& agent, const std::string& socket) {
    m_pid = ::fork();
    if (m_pid == 0) {
      ::execl(agent.c_str(), "pipe-agent", "--listen", socket.c_str(), nullptr);
      ::_exit(127);
    }
  }
  ~Listener() {
    if (m_pid > 0) {
      ::kill(m_pid, SIGKILL);
      ::waitpid(m_pid, nullptr, 0);
    }
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  /// Waits for the listener to exit; its exit code.
  int wait_exit() {
    int status = 0;
    ::waitpid(m_pid, &status, 0);
    m_pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

private:
  pid_t m_pid = -1;
};

int connect_to(const std::string& socket) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket.c_str(), sizeof address.sun_path - 1);
  for (int attempt = 0; attempt < 500; ++attempt) {  // the listener binds shortly after it starts
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
      return fd;
    }
    ::close(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("nothing listens on " << socket);
  return -1;
}

// One conversation on a connection: frames in, frames out.
class Connection {
public:
  explicit Connection(const std::string& socket) : m_fd(connect_to(socket)) {}
  ~Connection() { ::close(m_fd); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  std::optional<Frame> next() {
    while (true) {
      if (auto frame = m_reader.next()) {
        return frame;
      }
      char buffer[4096];
      const ssize_t n = ::read(m_fd, buffer, sizeof buffer);
      if (n <= 0) {
        return std::nullopt;
      }
      m_reader.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
    }
  }
  // Runs `script` and returns its stdout and exit status.
  std::pair<std::string, int> run(const std::string& script, const std::vector<std::string>& env = {}) {
    Request request;
    request.argv = {"sh", "-c", script};
    request.env = env;
    const std::string frame = encode_frame(FrameType::request, encode_request(request));
    REQUIRE(::write(m_fd, frame.data(), frame.size()) == static_cast<ssize_t>(frame.size()));
    std::string out;
    while (auto reply = next()) {
      if (reply->type == FrameType::out) {
        out += reply->payload;
      } else if (reply->type == FrameType::exit) {
        auto exit = decode_exit(reply->payload);
        REQUIRE(exit);
        return {out, exit->status};
      }
    }
    FAIL("the connection ended without an exit frame");
    return {};
  }

private:
  int m_fd;
  FrameReader m_reader;
};

}  // namespace

TEST_CASE("a listening agent serves each connection with the stdio frames, side by side", "[agent]") {
  AgentDir dir;
  const std::string socket = (dir.dir / "sock").string();
  Listener listener(dir.agent, socket);
  Connection first(socket);
  Connection second(socket);
  for (Connection* connection : {&first, &second}) {
    auto hello = connection->next();
    REQUIRE(hello);
    CHECK(hello->type == FrameType::hello);
    CHECK(hello->payload == k_protocol_version);
  }
  // The second connection's step runs while the first one's is still going.
  std::thread slow([&] { CHECK(first.run("sleep 0.3; echo first") == std::pair<std::string, int>{"first\n", 0}); });
  CHECK(second.run("echo \"$GREETING\"; exit 3", {"GREETING=hi"}) == std::pair<std::string, int>{"hi\n", 3});
  slow.join();
  CHECK(first.run("echo again") == std::pair<std::string, int>{"again\n", 0});
  struct stat info {};
  REQUIRE(::stat(socket.c_str(), &info) == 0);
  CHECK(S_ISSOCK(info.st_mode));
  CHECK((info.st_mode & 0777) == 0600);  // only its directory's owner reaches it
  CHECK(info.st_uid == ::getuid());
}

TEST_CASE("a listening agent replaces a socket a gone container left", "[agent]") {
  AgentDir dir;
  const std::string socket = (dir.dir / "sock").string();
  {
    const int stale = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket.c_str(), sizeof address.sun_path - 1);
    REQUIRE(::bind(stale, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    ::close(stale);
  }
  Listener listener(dir.agent, socket);
  Connection connection(socket);
  REQUIRE(connection.next());
  CHECK(connection.run("echo ok").first == "ok\n");
}

TEST_CASE("a socket path too long for a unix address makes the listening agent exit 1", "[agent]") {
  AgentDir dir;
  const std::string socket = (dir.dir / std::string(120, 's')).string();
  Listener listener(dir.agent, socket);
  CHECK(listener.wait_exit() == 1);
  CHECK_FALSE(fs::exists(socket));
}
