#include "runner/docker/http.hpp"

#include <poll.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "runner/system/lazy/curl_request.hpp"
#include "runner/trace/trace.hpp"

namespace pipeline::runner::docker {
namespace {

constexpr long k_connect_timeout_ms = 5000;
constexpr const char* k_default_socket = "/var/run/docker.sock";

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

bool is_connect_failure(CURLcode code) {
  return code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
         code == CURLE_COULDNT_RESOLVE_PROXY || code == CURLE_SSL_CONNECT_ERROR ||
         code == CURLE_SSL_CERTPROBLEM || code == CURLE_PEER_FAILED_VERIFICATION;
}

Result<void> send_all(const lazy::CurlApi& curl, CURL* handle, std::string_view bytes);

// The raw connection left after `101 UPGRADED`, read through curl so TLS keeps working.
class CurlRawStream final : public RawStream {
public:
  CurlRawStream(const lazy::CurlApi& curl, CURL* handle) : m_curl(curl), m_handle(handle) {}
  ~CurlRawStream() override { m_curl.easy_cleanup(m_handle); }
  CurlRawStream(const CurlRawStream&) = delete;
  CurlRawStream& operator=(const CurlRawStream&) = delete;

  void put_back(std::string bytes) { m_leftover = std::move(bytes); }

  Result<ReadStatus> read(std::string& out, std::chrono::milliseconds wait) override {
    if (!m_leftover.empty()) {
      out.append(m_leftover);
      m_leftover.clear();
      return ReadStatus::data;
    }
    char buffer[65536];
    size_t n = 0;
    CURLcode code = m_curl.easy_recv(m_handle, buffer, sizeof buffer, &n);
    if (code == CURLE_AGAIN) {
      if (!wait_readable(wait)) {
        return ReadStatus::idle;
      }
      code = m_curl.easy_recv(m_handle, buffer, sizeof buffer, &n);
      if (code == CURLE_AGAIN) {
        return ReadStatus::idle;
      }
    }
    if (code != CURLE_OK) {
      return Error{std::string("reading from the Docker engine failed: ") + m_curl.easy_strerror(code)};
    }
    if (n == 0) {
      return ReadStatus::eof;
    }
    out.append(buffer, n);
    return ReadStatus::data;
  }

  Result<void> write(std::string_view bytes) override { return send_all(m_curl, m_handle, bytes); }

private:
  bool wait_readable(std::chrono::milliseconds wait) {
    curl_socket_t socket = CURL_SOCKET_BAD;
    m_curl.easy_getinfo(m_handle, CURLINFO_ACTIVESOCKET, &socket);
    pollfd fd{static_cast<int>(socket), POLLIN, 0};
    return ::poll(&fd, 1, static_cast<int>(wait.count())) > 0;
  }

  const lazy::CurlApi& m_curl;
  CURL* m_handle;
  std::string m_leftover;
};

Result<void> send_all(const lazy::CurlApi& curl, CURL* handle, std::string_view bytes) {
  while (!bytes.empty()) {
    size_t sent = 0;
    const CURLcode code = curl.easy_send(handle, bytes.data(), bytes.size(), &sent);
    if (code == CURLE_AGAIN) {
      curl_socket_t socket = CURL_SOCKET_BAD;
      curl.easy_getinfo(handle, CURLINFO_ACTIVESOCKET, &socket);
      pollfd fd{static_cast<int>(socket), POLLOUT, 0};
      ::poll(&fd, 1, 1000);
      continue;
    }
    if (code != CURLE_OK) {
      return Error{std::string("sending to the Docker engine failed: ") + curl.easy_strerror(code)};
    }
    bytes.remove_prefix(sent);
  }
  return {};
}

// Reads until the end of the response head; returns the head and keeps any extra bytes.
Result<std::string> read_head(RawStream& stream, std::string& extra) {
  std::string buffer;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (true) {
    const auto end = buffer.find("\r\n\r\n");
    if (end != std::string::npos) {
      extra = buffer.substr(end + 4);
      return buffer.substr(0, end + 4);
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return Error{"the Docker engine did not answer an exec start within 30 s"};
    }
    auto status = stream.read(buffer, std::chrono::milliseconds(1000));
    if (!status) {
      return status.error();
    }
    if (*status == ReadStatus::eof) {
      return Error{"the Docker engine closed the connection before answering"};
    }
  }
}

long parse_status(const std::string& head) {
  const auto space = head.find(' ');
  return space == std::string::npos ? 0 : std::strtol(head.c_str() + space + 1, nullptr, 10);
}

// The start of an Engine API call, for its trace line; read only when the trace is on.
using Clock = std::chrono::steady_clock;

Clock::time_point trace_start() {
  return trace::enabled(trace::Level::debug) ? Clock::now() : Clock::time_point{};
}

// One trace line per Engine API call: method, path (with its query), status and duration.
// Bodies and headers (registry credentials, environment values) are never written.
template <typename Outcome>
void trace_call(const HttpRequest& request, Clock::time_point started, Outcome&& outcome) {
  trace::debug([&] {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    return "engine " + request.method + " " + request.path + " -> " + outcome() + " (" + std::to_string(ms) + " ms)";
  });
}

std::string outcome_text(const lazy::CurlOutcome& done) {
  return done.code == CURLE_OK || done.stopped ? std::to_string(done.status) : "failed: " + done.error;
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& line : headers) {
    const auto colon = line.find(':');
    if (same_name(std::string_view(line).substr(0, colon), name)) {
      const auto start = line.find_first_not_of(" \t", colon + 1);
      return start == std::string::npos ? std::string() : line.substr(start);
    }
  }
  return {};
}

Result<EngineEndpoint> endpoint_from_host(const std::string& host, bool tls, const std::string& cert_path) {
  EngineEndpoint endpoint;
  if (host.rfind("unix://", 0) == 0 || host.rfind('/', 0) == 0) {
    endpoint.unix_path = host.rfind("unix://", 0) == 0 ? host.substr(7) : host;
    endpoint.display = endpoint.unix_path;
    endpoint.base_url = "http://localhost";
    return endpoint;
  }
  if (host.rfind("tcp://", 0) == 0) {
    std::string address = host.substr(6);
    while (!address.empty() && address.back() == '/') {
      address.pop_back();
    }
    endpoint.display = host;
    endpoint.tls = tls;
    endpoint.cert_path = cert_path;
    endpoint.base_url = (tls ? "https://" : "http://") + address;
    return endpoint;
  }
  return Error{"unsupported DOCKER_HOST '" + host + "': expected unix:///path or tcp://host:port"};
}

Result<EngineEndpoint> endpoint_from_environment() {
  const std::string home = env_or("HOME", "/root");
  return endpoint_from_host(env_or("DOCKER_HOST", std::string("unix://") + k_default_socket),
                            !env_or("DOCKER_TLS_VERIFY", "").empty(),
                            env_or("DOCKER_CERT_PATH", home + "/.docker"));
}

std::vector<std::string> podman_socket_candidates() {
  std::vector<std::string> sockets;
  const std::string runtime_dir = env_or("XDG_RUNTIME_DIR", "");
  if (!runtime_dir.empty()) {
    sockets.push_back(runtime_dir + "/podman/podman.sock");
  }
  sockets.emplace_back("/run/podman/podman.sock");
  return sockets;
}

HttpTransport::HttpTransport(EngineEndpoint endpoint) : m_endpoint(std::move(endpoint)) {}

HttpTransport::~HttpTransport() {
  if (m_idle.empty()) {
    return;  // libcurl may never have been loaded
  }
  const lazy::CurlApi& curl = **lazy::curl();  // loaded: the idle handles came from it
  for (void* handle : m_idle) {
    curl.easy_cleanup(static_cast<CURL*>(handle));
  }
}

Result<const lazy::CurlApi*> HttpTransport::load_curl() const {
  auto curl = lazy::curl();
  if (!curl) {
    return Error{"cannot connect to the Docker engine at " + m_endpoint.display + ": " + curl.error().message};
  }
  return curl;
}

void* HttpTransport::checkout(const lazy::CurlApi& curl) {
  {
    std::lock_guard lock(m_mutex);
    if (!m_idle.empty()) {
      void* handle = m_idle.back();
      m_idle.pop_back();
      return handle;
    }
  }
  return curl.easy_init();
}

void HttpTransport::checkin(void* handle) {
  std::lock_guard lock(m_mutex);
  m_idle.push_back(handle);
}

lazy::CurlRequest HttpTransport::curl_request(const HttpRequest& request) const {
  lazy::CurlRequest out;
  out.method = request.method;
  out.url = m_endpoint.base_url + request.path;
  if (!request.content_type.empty()) {
    out.headers.push_back("Content-Type: " + request.content_type);
  }
  out.headers.insert(out.headers.end(), request.headers.begin(), request.headers.end());
  out.body = request.body;
  out.connect_timeout = std::chrono::milliseconds(k_connect_timeout_ms);
  out.timeout = request.timeout;
  out.transport = [this](const lazy::CurlApi& curl, CURL* handle) {
    if (!m_endpoint.unix_path.empty()) {
      curl.easy_setopt(handle, CURLOPT_UNIX_SOCKET_PATH, m_endpoint.unix_path.c_str());
    }
    if (m_endpoint.tls) {
      const std::string ca = m_endpoint.cert_path + "/ca.pem";
      const std::string cert = m_endpoint.cert_path + "/cert.pem";
      const std::string key = m_endpoint.cert_path + "/key.pem";
      curl.easy_setopt(handle, CURLOPT_CAINFO, ca.c_str());
      curl.easy_setopt(handle, CURLOPT_SSLCERT, cert.c_str());
      curl.easy_setopt(handle, CURLOPT_SSLKEY, key.c_str());
    }
  };
  return out;
}

Error HttpTransport::connect_error(const std::string& detail) const {
  return Error{"cannot connect to the Docker engine at " + m_endpoint.display + ": " + detail +
               " (is dockerd running? DOCKER_HOST selects another engine)"};
}

struct HttpTransport::Performed : lazy::CurlOutcome {};

Result<HttpTransport::Performed> HttpTransport::perform(const HttpRequest& request, const BodySink& sink,
                                                        std::vector<std::string>* headers) {
  auto loaded = load_curl();
  if (!loaded) {
    return loaded.error();
  }
  const lazy::CurlApi& curl = **loaded;
  CURL* handle = static_cast<CURL*>(checkout(curl));
  lazy::CurlRequest prepared = curl_request(request);
  if (headers != nullptr) {
    prepared.on_header = [headers](std::string_view line) {
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
        line.remove_suffix(1);
      }
      if (line.find(':') != std::string_view::npos) {
        headers->emplace_back(line);
      }
    };
  }
  Performed done{lazy::perform_request(curl, handle, prepared, sink)};
  checkin(handle);
  return done;
}

Result<HttpResponse> HttpTransport::send(const HttpRequest& request) {
  HttpResponse response;
  const auto started = trace_start();
  auto done = perform(request, lazy::append_to(response.body), request.keep_headers ? &response.headers : nullptr);
  if (!done) {
    return done.error();
  }
  trace_call(request, started, [&] { return outcome_text(*done); });
  if (done->code != CURLE_OK) {
    if (is_connect_failure(done->code)) {
      return connect_error(done->error);
    }
    return Error{"Docker engine at " + m_endpoint.display + ": " + request.method + " " + request.path + ": " +
                 done->error};
  }
  response.status = done->status;
  return response;
}

Result<long> HttpTransport::stream(const HttpRequest& request, const ChunkHandler& on_chunk) {
  std::string error_body;
  const auto started = trace_start();
  auto done = perform(request, [&](long status, std::string_view bytes) {
    if (status >= 300) {  // an error answer is buffered for the message, not streamed
      error_body.append(bytes);
      return true;
    }
    return on_chunk(bytes);
  });
  if (!done) {
    return done.error();
  }
  trace_call(request, started, [&] { return outcome_text(*done); });
  if (done->code != CURLE_OK && !done->stopped) {
    return is_connect_failure(done->code) ? connect_error(done->error)
                                          : Error{"Docker engine at " + m_endpoint.display + ": " + done->error};
  }
  if (done->status >= 300) {
    on_chunk(error_body);  // the caller sees the error text once, as one piece
  }
  return done->status;
}

Result<std::unique_ptr<RawStream>> HttpTransport::upgrade(const HttpRequest& request) {
  auto loaded = load_curl();
  if (!loaded) {
    return loaded.error();
  }
  const lazy::CurlApi& curl = **loaded;
  const auto started = trace_start();
  CURL* handle = curl.easy_init();
  HttpRequest connect_only;
  connect_only.path = request.path;
  connect_only.timeout = std::chrono::milliseconds(0);
  lazy::CurlRequest connect = curl_request(connect_only);
  connect.transport = [transport = connect.transport](const lazy::CurlApi& api, CURL* raw) {
    transport(api, raw);
    api.easy_setopt(raw, CURLOPT_CONNECT_ONLY, 1L);  // the request itself is written by hand below
  };
  const auto connected = lazy::perform_request(curl, handle, connect, [](long, std::string_view) { return true; });
  if (connected.code != CURLE_OK) {
    curl.easy_cleanup(handle);
    return connect_error(connected.error);
  }
  std::string head = request.method + " " + request.path + " HTTP/1.1\r\nHost: docker\r\n" +
                     "Connection: Upgrade\r\nUpgrade: tcp\r\n";
  if (!request.content_type.empty()) {
    head += "Content-Type: " + request.content_type + "\r\n";
  }
  head += "Content-Length: " + std::to_string(request.body.size()) + "\r\n\r\n";
  if (auto sent = send_all(curl, handle, head + request.body); !sent) {
    curl.easy_cleanup(handle);
    return sent.error();
  }
  auto stream = std::make_unique<CurlRawStream>(curl, handle);
  std::string extra;
  auto response_head = read_head(*stream, extra);
  if (!response_head) {
    return response_head.error();
  }
  const long status = parse_status(*response_head);
  trace_call(request, started, [&] { return std::to_string(status) + " (upgraded stream)"; });
  if (status != 101 && status != 200) {
    std::string body = extra;
    [[maybe_unused]] auto more = stream->read(body, std::chrono::milliseconds(200));  // best effort: the message
    return Error{"Docker engine at " + m_endpoint.display + ": " + request.path + " answered " +
                 std::to_string(status) + ": " + body};
  }
  stream->put_back(std::move(extra));
  return std::unique_ptr<RawStream>(std::move(stream));
}

}  // namespace pipeline::runner::docker
