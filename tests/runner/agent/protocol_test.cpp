#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "runner/agent/agent_blob.hpp"
#include "runner/agent/protocol.hpp"

using namespace pipeline::runner::agent;
namespace fs = std::filesystem;

namespace {

std::vector<Frame> frames_of(const std::string& bytes, std::size_t piece) {
  FrameReader reader;
  std::vector<Frame> frames;
  for (std::size_t at = 0; at < bytes.size(); at += piece) {
    reader.feed(std::string_view(bytes).substr(at, piece));
    while (auto frame = reader.next()) {
      frames.push_back(*frame);
    }
  }
  return frames;
}

// The embedded agent, run on this host with its stdin and stdout on pipes.
class HostAgent {
public:
  HostAgent() {
    m_path = fs::temp_directory_path() / ("pipe-agent-test-" + std::to_string(::getpid()));
    const std::string_view bytes = agent_binary();
    std::ofstream(m_path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    fs::permissions(m_path, fs::perms::owner_all);
    int in[2];
    int out[2];
    REQUIRE(::pipe(in) == 0);
    REQUIRE(::pipe(out) == 0);
    m_pid = ::fork();
    if (m_pid == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::close(in[1]);
      ::close(out[0]);
      ::execl(m_path.c_str(), "pipe-agent", nullptr);
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    m_in = in[1];
    m_out = out[0];
  }
  HostAgent(const HostAgent&) = delete;
  HostAgent& operator=(const HostAgent&) = delete;
  ~HostAgent() {
    close_stdin();
    ::close(m_out);
    int status = 0;
    ::waitpid(m_pid, &status, 0);
    std::error_code ec;
    fs::remove(m_path, ec);
  }

  void send(FrameType type, const std::string& payload) {
    const std::string frame = encode_frame(type, payload);
    REQUIRE(::write(m_in, frame.data(), frame.size()) == static_cast<ssize_t>(frame.size()));
  }
  void close_stdin() {
    if (m_in >= 0) {
      ::close(m_in);
      m_in = -1;
    }
  }
  // The next frame, or nullopt when the agent's stdout ended.
  std::optional<Frame> next() {
    while (true) {
      if (auto frame = m_reader.next()) {
        return frame;
      }
      char buffer[4096];
      const ssize_t n = ::read(m_out, buffer, sizeof buffer);
      if (n <= 0) {
        return std::nullopt;
      }
      m_reader.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
    }
  }
  // Output frames until the exit frame, concatenated per stream.
  Exit run(const Request& request, std::string& out, std::string& err) {
    send(FrameType::request, encode_request(request));
    while (auto frame = next()) {
      if (frame->type == FrameType::out) {
        out += frame->payload;
      } else if (frame->type == FrameType::err) {
        err += frame->payload;
      } else if (frame->type == FrameType::exit) {
        auto exit = decode_exit(frame->payload);
        REQUIRE(exit);
        return *exit;
      }
    }
    FAIL("the agent ended without an exit frame");
    return {};
  }
  [[nodiscard]] int wait_exit() {
    int status = 0;
    ::waitpid(m_pid, &status, 0);
    m_pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

private:
  fs::path m_path;
  pid_t m_pid = -1;
  int m_in = -1;
  int m_out = -1;
  FrameReader m_reader;
};

Request shell(const std::string& script) {
  Request request;
  request.argv = {"sh", "-c", script};
  return request;
}

bool process_alive(const std::string& marker_line) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::ifstream environ(entry.path() / "environ", std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(environ)), std::istreambuf_iterator<char>());
    if (content.find(marker_line + '\0') != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("frames survive any read boundaries and carry exact bytes", "[agent]") {
  const std::string binary("\0\r\n\xff\xfe tail", 10);
  const std::string stream = encode_frame(FrameType::out, binary) + encode_frame(FrameType::err, "") +
                             encode_frame(FrameType::exit, encode_exit(Exit{3, 0, true, false}));
  for (std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{7}, stream.size()}) {
    const auto frames = frames_of(stream, piece);
    REQUIRE(frames.size() == 3);
    CHECK(frames[0].type == FrameType::out);
    CHECK(frames[0].payload == binary);
    CHECK(frames[1].payload.empty());
    auto exit = decode_exit(frames[2].payload);
    REQUIRE(exit);
    CHECK(exit->status == 3);
    CHECK(exit->timed_out);
    CHECK_FALSE(exit->cancelled);
  }
}

TEST_CASE("a request round-trips, and malformed payloads are refused", "[agent]") {
  Request request;
  request.argv = {"bash", "-e", std::string("a\0b", 3)};
  request.env = {"A=1", "EMPTY="};
  request.cwd = "/work space";
  request.timeout_ms = 0x1'0000'0005ULL;
  request.user = "1000:1000";
  const std::string payload = encode_request(request);
  auto decoded = decode_request(payload);
  REQUIRE(decoded);
  CHECK(decoded->argv == request.argv);
  CHECK(decoded->env == request.env);
  CHECK(decoded->cwd == request.cwd);
  CHECK(decoded->timeout_ms == request.timeout_ms);
  CHECK(decoded->user == request.user);
  CHECK_FALSE(decode_request(payload.substr(0, payload.size() - 1)));
  CHECK_FALSE(decode_request(payload + "x"));
  CHECK_FALSE(decode_request(std::string("\xff\xff\xff\xff", 4)));
  CHECK_FALSE(decode_exit("short"));
}

TEST_CASE("an unknown frame type or an oversized size marks the stream corrupt", "[agent]") {
  FrameReader unknown;
  unknown.feed(std::string("Z\0\0\0\0", 5));
  CHECK_FALSE(unknown.next());
  CHECK(unknown.corrupt());
  FrameReader huge;
  huge.feed(std::string("O\xff\xff\xff\xff", 5));
  CHECK_FALSE(huge.next());
  CHECK(huge.corrupt());
}

TEST_CASE("the agent says hello, runs steps one after another, and keeps each stream's bytes", "[agent]") {
  HostAgent agent;
  auto hello = agent.next();
  REQUIRE(hello);
  CHECK(hello->type == FrameType::hello);
  CHECK(hello->payload == k_protocol_version);
  std::string out;
  std::string err;
  Request first = shell("printf 'a\\000b\\r\\n\\377'; printf 'to err' >&2; echo \"$GREETING\" >&2; exit 7");
  first.env = {"GREETING=hi there"};
  const Exit exit = agent.run(first, out, err);
  CHECK(exit.status == 7);
  CHECK(exit.signal == 0);
  CHECK(out == std::string("a\0b\r\n\xff", 6));
  CHECK(err == "to errhi there\n");
  out.clear();
  err.clear();
  Request second = shell("pwd; echo ${GREETING:-unset}");
  second.cwd = "/";
  CHECK(agent.run(second, out, err).status == 0);
  CHECK(out == "/\nunset\n");  // one step's env does not leak into the next
}

TEST_CASE("the agent reports a program it cannot run as 127 with a message", "[agent]") {
  HostAgent agent;
  REQUIRE(agent.next());
  std::string out;
  std::string err;
  Request request;
  request.argv = {"pipe-no-such-program"};
  CHECK(agent.run(request, out, err).status == 127);
  CHECK_THAT(err, Catch::Contains("cannot run pipe-no-such-program"));
}

TEST_CASE("a step's timeout kills its whole process group and what left it", "[agent]") {
  HostAgent agent;
  REQUIRE(agent.next());
  const std::string marker = "PIPE_EXEC_ID=agent-timeout-" + std::to_string(::getpid());
  Request request = shell("(setsid sleep 300 &); sleep 300 & echo started; wait");
  request.env = {marker};
  request.timeout_ms = 300;
  std::string out;
  std::string err;
  const Exit exit = agent.run(request, out, err);
  CHECK(exit.timed_out);
  CHECK_FALSE(exit.cancelled);
  CHECK(out == "started\n");
  CHECK_FALSE(process_alive(marker));
}

TEST_CASE("a cancel frame stops the running step and the agent takes the next one", "[agent]") {
  HostAgent agent;
  REQUIRE(agent.next());
  agent.send(FrameType::request, encode_request(shell("trap 'echo got TERM; exit 143' TERM; echo started; while :; do sleep 1; done")));
  auto started = agent.next();
  REQUIRE(started);
  CHECK(started->payload == "started\n");
  agent.send(FrameType::cancel, "");
  std::string out;
  std::optional<Exit> exit;
  while (auto frame = agent.next()) {
    if (frame->type == FrameType::exit) {
      exit = decode_exit(frame->payload);
      break;
    }
    out += frame->payload;
  }
  REQUIRE(exit);
  CHECK(exit->cancelled);
  // SIGTERM first (the trap's 143); on a starved machine the grace can run out first (137).
  CHECK((exit->status == 143 || exit->status == 137));
  std::string err;
  out.clear();
  CHECK(agent.run(shell("echo next"), out, err).status == 0);
  CHECK(out == "next\n");
}

TEST_CASE("the agent ends when its stdin ends, taking a running step with it", "[agent]") {
  HostAgent agent;
  REQUIRE(agent.next());
  const std::string marker = "PIPE_EXEC_ID=agent-eof-" + std::to_string(::getpid());
  Request request = shell("echo started; sleep 300");
  request.env = {marker};
  agent.send(FrameType::request, encode_request(request));
  REQUIRE(agent.next());
  agent.close_stdin();
  CHECK(agent.wait_exit() == 0);
  // The kill is sent before the agent exits; the kernel ends the step a moment later.
  bool alive = true;
  for (int attempt = 0; attempt < 100 && alive; ++attempt) {
    alive = process_alive(marker);
    if (alive) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  CHECK_FALSE(alive);
}
