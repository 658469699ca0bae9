#include "runner/services/buffered_server.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace pipeline::runner::services {

namespace {

constexpr std::size_t k_buffer = 256U << 10U;
// Requests one connection may carry: clients keep theirs open for every block of an upload.
constexpr std::size_t k_requests_per_connection = 100;
// How often a connection waiting for its next request checks whether the server stopped.
constexpr int k_stop_check_ms = 100;

int millis(time_t sec, time_t usec) { return static_cast<int>(sec * 1000 + usec / 1000); }

// Waits up to `ms` for `events` on `fd`; a hang-up or an error counts, for the call that follows
// to report.
bool wait_for(int fd, short events, int ms) {
  pollfd watched{fd, events, 0};
  int ready = 0;
  do {
    ready = ::poll(&watched, 1, ms);
  } while (ready < 0 && errno == EINTR);
  return ready > 0;
}

void address_of(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  auto* generic = reinterpret_cast<sockaddr*>(&address);
  if ((peer ? ::getpeername(fd, generic, &length) : ::getsockname(fd, generic, &length)) != 0) {
    return;
  }
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    ::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
    port = ntohs(v4->sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    port = ntohs(v6->sin6_port);
  }
  ip = text;
}

// One connection's bytes: reads are served from a buffer that one recv fills, writes go out as
// they come (the library hands over whole headers and large body pieces).
class BufferedStream final : public httplib::Stream {
public:
  BufferedStream(int fd, int read_ms, int write_ms) : m_fd(fd), m_read_ms(read_ms), m_write_ms(write_ms) {}

  bool is_readable() const override { return m_begin < m_end || wait_for(m_fd, POLLIN, m_read_ms); }
  bool is_writable() const override { return wait_for(m_fd, POLLOUT, m_write_ms); }

  ssize_t read(char* ptr, size_t size) override {
    if (m_begin == m_end && !fill()) {
      return -1;
    }
    const std::size_t n = std::min(size, m_end - m_begin);
    std::memcpy(ptr, m_buffer.data() + m_begin, n);
    m_begin += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) {
      return -1;
    }
    ssize_t sent = 0;
    do {
      sent = ::send(m_fd, ptr, size, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    return sent;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { address_of(m_fd, true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { address_of(m_fd, false, ip, port); }
  socket_t socket() const override { return m_fd; }

  /// Whether a next request arrives within `timeout` (bytes already buffered count); false at
  /// once when the client closed, and within k_stop_check_ms once `stopped()` says so.
  template <class Stopped>
  bool next_request(std::chrono::seconds timeout, const Stopped& stopped) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (m_begin == m_end) {
      if (stopped() || std::chrono::steady_clock::now() >= deadline) {
        return false;
      }
      if (wait_for(m_fd, POLLIN, k_stop_check_ms)) {
        return fill();
      }
    }
    return true;
  }

private:
  // Data usually waits in the socket already: ask first, poll only when there is none.
  bool fill() {
    m_begin = 0;
    m_end = 0;
    while (true) {
      const ssize_t got = ::recv(m_fd, m_buffer.data(), m_buffer.size(), MSG_DONTWAIT);
      if (got > 0) {
        m_end = static_cast<std::size_t>(got);
        return true;
      }
      if (got == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
        return false;
      }
      if (errno != EINTR && !wait_for(m_fd, POLLIN, m_read_ms)) {
        return false;
      }
    }
  }

  int m_fd;
  int m_read_ms;
  int m_write_ms;
  std::vector<char> m_buffer = std::vector<char>(k_buffer);
  std::size_t m_begin = 0;
  std::size_t m_end = 0;
};

}  // namespace

BufferedServer::BufferedServer() { set_keep_alive_max_count(k_requests_per_connection); }

bool BufferedServer::process_and_close_socket(socket_t sock) {
  BufferedStream stream(sock, millis(read_timeout_sec_, read_timeout_usec_),
                        millis(write_timeout_sec_, write_timeout_usec_));
  const auto stopped = [this] { return svr_sock_ == INVALID_SOCKET; };
  bool ok = false;
  for (std::size_t left = keep_alive_max_count_; left > 0; --left) {
    if (!stream.next_request(std::chrono::seconds(keep_alive_timeout_sec_), stopped)) {
      break;
    }
    bool closed = false;
    ok = process_request(stream, left == 1, closed, nullptr);
    if (!ok || closed) {
      break;
    }
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace pipeline::runner::services
