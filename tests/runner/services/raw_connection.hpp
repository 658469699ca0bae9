#pragma once
// A plain TCP connection to a test server on 127.0.0.1, for what an HTTP client library hides:
// holding a connection idle, pipelining requests, sending a body in pieces.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>

class Connection {
public:
  explicit Connection(int port) : m_fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(m_fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  }
  ~Connection() { ::close(m_fd); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t sent = ::send(m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      REQUIRE(sent > 0);
      bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
  }

  /// Reads one response (with a Content-Length) whole; its body.
  std::string response() {
    std::size_t body_at = std::string::npos;
    std::size_t length = 0;
    while (body_at == std::string::npos || m_read.size() < body_at + length) {
      if (body_at == std::string::npos && m_read.find("\r\n\r\n") != std::string::npos) {
        body_at = m_read.find("\r\n\r\n") + 4;
        const std::size_t field = m_read.find("Content-Length: ");
        REQUIRE(field < body_at);
        length = std::stoul(m_read.substr(field + 16));
        continue;
      }
      char buffer[4096];
      const ssize_t got = ::recv(m_fd, buffer, sizeof buffer, 0);
      REQUIRE(got > 0);
      m_read.append(buffer, static_cast<std::size_t>(got));
    }
    std::string body = m_read.substr(body_at, length);
    m_read.erase(0, body_at + length);
    return body;
  }

  /// Sends `request` and reads its response; the response's body.
  std::string request(std::string_view request) {
    send(request);
    return response();
  }

  /// Whether the server still holds the connection open (it has sent no FIN).
  [[nodiscard]] bool open() const {
    char byte = 0;
    return ::recv(m_fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  /// Waits until the server closes the connection; false when bytes come instead.
  bool closed_by_server() const {
    char byte = 0;
    return ::recv(m_fd, &byte, 1, 0) == 0;
  }

private:
  int m_fd;
  std::string m_read;
};
