#include "runner/docker/kept_agent.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "runner/agent/agent_blob.hpp"

namespace pipeline::runner::docker {
namespace {

namespace fs = std::filesystem;

constexpr const char* k_agent_dir = ".pipe-agent";
constexpr const char* k_socket_name = "sock";

// One end of a unix socket, as the raw stream an agent session reads and writes.
class SocketStream final : public RawStream {
public:
  explicit SocketStream(int fd) : m_fd(fd) {}
  ~SocketStream() override { ::close(m_fd); }
  SocketStream(const SocketStream&) = delete;
  SocketStream& operator=(const SocketStream&) = delete;

  Result<ReadStatus> read(std::string& out, std::chrono::milliseconds wait) override {
    pollfd fd{m_fd, POLLIN, 0};
    const int ready = ::poll(&fd, 1, static_cast<int>(wait.count()));
    if (ready == 0 || (ready < 0 && errno == EINTR)) {
      return ReadStatus::idle;
    }
    char buffer[65536];
    const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      return ReadStatus::idle;
    }
    if (n < 0) {
      return Error{std::string("reading from the step agent's socket failed: ") + std::strerror(errno)};
    }
    if (n == 0) {
      return ReadStatus::eof;
    }
    out.append(buffer, static_cast<std::size_t>(n));
    return ReadStatus::data;
  }

  Result<void> write(std::string_view bytes) override {
    while (!bytes.empty()) {
      const ssize_t n = ::send(m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n < 0) {
        return Error{std::string("writing to the step agent's socket failed: ") + std::strerror(errno)};
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
  }

private:
  int m_fd;
};

}  // namespace

const std::string& agent_file_name() {
  static const std::string name = [] {
    std::uint64_t hash = 14695981039346656037ULL;
    for (unsigned char c : agent::agent_binary()) {
      hash = (hash ^ c) * 1099511628211ULL;
    }
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out = "pipe-agent-";
    for (int shift = 60; shift >= 0; shift -= 4) {
      out.push_back(k_hex[(hash >> shift) & 0xF]);
    }
    return out;
  }();
  return name;
}

std::string kept_agent_dir(const std::string& host_dir) {
  return (fs::path(host_dir) / k_agent_dir).string();
}

std::string kept_agent_path(const std::string& host_dir) {
  return (fs::path(kept_agent_dir(host_dir)) / agent_file_name()).string();
}

std::string kept_agent_socket(const std::string& host_dir) {
  return (fs::path(kept_agent_dir(host_dir)) / k_socket_name).string();
}

void install_kept_agent(const std::string& host_dir) {
  const fs::path dir = kept_agent_dir(host_dir);
  const fs::path path = kept_agent_path(host_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  // Owner-only: the socket inside takes steps with their secrets, so only pipe's user may reach it.
  fs::permissions(dir, fs::perms::owner_all, ec);
  if (ec || fs::exists(path, ec)) {
    return;
  }
  // Written beside and renamed, so a container never starts a half-written agent.
  const fs::path partial = path.string() + ".partial";
  const std::string_view bytes = agent::agent_binary();
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      fs::remove(partial, ec);
      return;
    }
  }
  fs::permissions(partial, fs::perms::owner_all, ec);
  fs::rename(partial, path, ec);
}

Result<std::unique_ptr<RawStream>> connect_kept_agent(const std::string& socket) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket.size() >= sizeof address.sun_path) {
    return Error{"the agent's socket path is longer than a unix socket address takes: " + socket};
  }
  std::memcpy(address.sun_path, socket.c_str(), socket.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return Error{std::string("cannot make a socket: ") + std::strerror(errno)};
  }
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    ::close(fd);
    return Error{"cannot connect to " + socket + ": " + std::strerror(error)};
  }
  return std::unique_ptr<RawStream>(std::make_unique<SocketStream>(fd));
}

}  // namespace pipeline::runner::docker
