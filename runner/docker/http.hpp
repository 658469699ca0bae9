#pragma once
// HTTP to the Docker engine over libcurl (loaded at the first request): a unix socket or tcp(+TLS),
// plus raw upgraded streams.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/base/result.hpp"

namespace pipeline::runner::lazy {
struct CurlApi;
struct CurlRequest;
}

namespace pipeline::runner::docker {

/// Where the engine listens, as DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CERT_PATH describe it.
struct EngineEndpoint {
  std::string display;    // for messages: "/var/run/docker.sock" or "tcp://host:2376"
  std::string unix_path;  // set for unix:// endpoints
  std::string base_url;   // "http://localhost" for unix sockets, else http(s)://host:port
  bool tls = false;
  std::string cert_path;  // directory with ca.pem, cert.pem, key.pem
};

/// The endpoint named by the environment (default: /var/run/docker.sock).
[[nodiscard]] Result<EngineEndpoint> endpoint_from_environment();
/// Podman's API sockets in the order they are tried: `$XDG_RUNTIME_DIR/podman/podman.sock`
/// (rootless, when XDG_RUNTIME_DIR is set), then `/run/podman/podman.sock` (rootful).
[[nodiscard]] std::vector<std::string> podman_socket_candidates();
/// The endpoint for a DOCKER_HOST-style value (`unix:///path`, `tcp://host:port`, or a bare path).
[[nodiscard]] Result<EngineEndpoint> endpoint_from_host(const std::string& host, bool tls, const std::string& cert_path);

/// One request; `path` already carries the API version prefix and query.
struct HttpRequest {
  std::string method = "GET";
  std::string path;
  std::string body;
  std::string content_type;  // empty: no body header
  std::vector<std::string> headers;
  std::chrono::milliseconds timeout{60000};  // 0: none (streams)
  bool keep_headers = false;                 // HttpResponse::headers gets the answer's headers
};

/// A buffered answer.
struct HttpResponse {
  long status = 0;
  std::string body;
  std::vector<std::string> headers;  // "Name: value", when the request asked for them

  /// The value of header `name` (case-insensitive), or empty.
  [[nodiscard]] std::string header(std::string_view name) const;
};

/// How a read on a raw stream ended.
enum class ReadStatus { data, idle, eof };

/// A connection taken over after `101 UPGRADED` (exec attach); closed on destruction.
class RawStream {
public:
  virtual ~RawStream() = default;
  /// Reads what is available, waiting up to `wait`; `idle` when nothing came in time.
  [[nodiscard]] virtual Result<ReadStatus> read(std::string& out, std::chrono::milliseconds wait) = 0;
  /// Sends bytes the other way (an exec's stdin, when it was attached).
  [[nodiscard]] virtual Result<void> write(std::string_view bytes) = 0;
};

/// Called with each piece of a streamed body; return false to stop early.
using ChunkHandler = std::function<bool(std::string_view)>;

/// Sends requests to one engine, reusing connections across calls and threads.
class HttpTransport {
public:
  explicit HttpTransport(EngineEndpoint endpoint);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  /// Sends a request and buffers the whole answer.
  [[nodiscard]] Result<HttpResponse> send(const HttpRequest& request);
  /// Sends a request and hands the body over piece by piece; returns the status.
  [[nodiscard]] Result<long> stream(const HttpRequest& request, const ChunkHandler& on_chunk);
  /// Sends a request asking for `Upgrade: tcp` and returns the raw connection after `101`.
  [[nodiscard]] Result<std::unique_ptr<RawStream>> upgrade(const HttpRequest& request);
  /// The endpoint this transport talks to.
  [[nodiscard]] const EngineEndpoint& endpoint() const { return m_endpoint; }

private:
  [[nodiscard]] Result<const lazy::CurlApi*> load_curl() const;
  void* checkout(const lazy::CurlApi& curl);
  void checkin(void* handle);
  /// The libcurl request for `request` on this endpoint (its socket or TLS files).
  [[nodiscard]] lazy::CurlRequest curl_request(const HttpRequest& request) const;
  [[nodiscard]] Error connect_error(const std::string& detail) const;

  /// What a request on a pooled handle ended with (defined in http.cpp: it holds libcurl types).
  struct Performed;
  /// Takes each piece of the answer's body with its status; false stops the transfer.
  using BodySink = std::function<bool(long status, std::string_view bytes)>;
  /// Sends `request` on a pooled handle, the body going to `sink`; the handle goes back to the
  /// pool after.
  [[nodiscard]] Result<Performed> perform(const HttpRequest& request, const BodySink& sink,
                                         std::vector<std::string>* headers = nullptr);

  EngineEndpoint m_endpoint;
  std::mutex m_mutex;
  std::vector<void*> m_idle;  // CURL* handles keeping their connections alive
};

}  // namespace pipeline::runner::docker
