#include "runner/services/buffered_server.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <thread>

#include "runner/services/raw_connection.hpp"

using pipeline::runner::services::BufferedServer;

namespace {

// A BufferedServer on a free loopback port that echoes each body's length and first and last
// bytes, and streams uploads through a content reader as the artifact and cache routes do.
class EchoServer {
public:
  EchoServer() {
    m_server.Put("/whole", [](const httplib::Request& request, httplib::Response& response) {
      response.set_content(summary(request.body) + " " + request.get_header_value("X-Tag"), "text/plain");
    });
    m_server.Put("/streamed", [](const httplib::Request&, httplib::Response& response,
                                 const httplib::ContentReader& reader) {
      std::string body;
      reader([&body](const char* data, std::size_t length) {
        body.append(data, length);
        return true;
      });
      response.set_content(summary(body), "text/plain");
    });
    m_port = m_server.bind_to_any_port("127.0.0.1");
    REQUIRE(m_port > 0);
    m_thread = std::thread([this] { m_server.listen_after_bind(); });
    while (!m_server.is_running()) {
      std::this_thread::yield();
    }
  }
  ~EchoServer() { stop(); }
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;

  void stop() {
    m_server.stop();
    if (m_thread.joinable()) {
      m_thread.join();
    }
  }
  [[nodiscard]] int port() const { return m_port; }

private:
  static std::string summary(const std::string& body) {
    return std::to_string(body.size()) + (body.empty() ? "" : " " + body.substr(0, 1) + body.substr(body.size() - 1));
  }

  BufferedServer m_server;
  std::thread m_thread;
  int m_port = 0;
};

std::string put(const std::string& path, const std::string& body, const std::string& tag = "") {
  return "PUT " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Tag: " + tag + "\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("a buffered server answers requests that arrive together, in order", "[services]") {
  EchoServer server;
  Connection connection(server.port());
  // Three requests in one send: one receive takes them all, and each must still be answered.
  connection.send(put("/whole", "abc", "one") + put("/streamed", "xyz") + put("/whole", "", "three"));
  CHECK(connection.response() == "3 ac one");
  CHECK(connection.response() == "3 xz");
  CHECK(connection.response() == "0 three");
}

TEST_CASE("a buffered server receives a body sent in pieces and a body larger than its buffer", "[services]") {
  EchoServer server;
  Connection connection(server.port());
  const std::string body = "a" + std::string((1U << 20U) * 3, 'm') + "z";  // 3 MiB, twelve buffers
  const std::string request = put("/streamed", body);
  std::size_t at = 0;
  for (; at < 70; at += 7) {  // the headers a few bytes at a time
    connection.send(request.substr(at, 7));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  connection.send(request.substr(at));
  CHECK(connection.response() == std::to_string(body.size()) + " az");
  CHECK(connection.request(put("/whole", body, "again")) == std::to_string(body.size()) + " az again");
}

TEST_CASE("a buffered server keeps a connection for many requests and lets an idle one go when it stops",
          "[services]") {
  EchoServer server;
  Connection connection(server.port());
  for (int i = 0; i < 20; ++i) {  // beyond the library's default of 5 requests per connection
    REQUIRE(connection.request(put("/whole", "ab", std::to_string(i))) == "2 ab " + std::to_string(i));
  }
  CHECK(connection.open());
  server.stop();  // returns although the connection stays idle and open on the client's side
  CHECK(connection.closed_by_server());
}
