#pragma once
// One HTTP request through the lazily loaded libcurl: the options every caller sets the same way
// (method, body, headers, timeouts, no signals), the body handed over piece by piece, and the
// status and libcurl's error text in one answer. The Docker transport and the Vault client use it.
// Include only from .cpp files that talk HTTP: it pulls in <curl/curl.h>.
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/system/lazy/curl.hpp"

namespace pipeline::runner::lazy {

/// What to send.
struct CurlRequest {
  std::string method = "GET";  // GET and HEAD send no body
  std::string url;
  std::vector<std::string> headers;  // "Name: value" lines
  std::string_view body;             // must outlive the request
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds timeout{0};  // the whole transfer; 0: none (streams)
  /// Options of the transport (a unix socket, TLS files), set after the common ones.
  std::function<void(const CurlApi& curl, CURL* handle)> transport;
  /// Takes each header line of the answer ("Name: value\r\n", the status line too); unset: none.
  std::function<void(std::string_view line)> on_header;
};

/// Takes each piece of the answer's body with the answer's status; false stops the transfer.
using CurlBodySink = std::function<bool(long status, std::string_view bytes)>;

/// How a request ended.
struct CurlOutcome {
  CURLcode code = CURLE_OK;
  long status = 0;        // the HTTP status; 0 when no answer came
  std::string error;      // libcurl's words when `code` is not CURLE_OK
  bool stopped = false;   // the sink asked to stop (`code` is then CURLE_WRITE_ERROR)
};

/// Sends `request` on `handle`, which is reset first (a reused handle keeps only its connections).
[[nodiscard]] CurlOutcome perform_request(const CurlApi& curl, CURL* handle, const CurlRequest& request,
                                          const CurlBodySink& sink);

/// The body sink that appends everything to `out`.
[[nodiscard]] CurlBodySink append_to(std::string& out);

}  // namespace pipeline::runner::lazy
