#include "runner/system/lazy/curl_request.hpp"

namespace pipeline::runner::lazy {
namespace {

struct SinkState {
  const CurlApi& curl;
  CURL* handle;
  const CurlBodySink& sink;
  bool stopped = false;
};

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* state = static_cast<SinkState*>(user);
  long status = 0;
  state->curl.easy_getinfo(state->handle, CURLINFO_RESPONSE_CODE, &status);
  if (!state->sink(status, std::string_view(data, size * count))) {
    state->stopped = true;
    return 0;
  }
  return size * count;
}

std::size_t take_header(char* data, std::size_t size, std::size_t count, void* user) {
  const auto& on_header = *static_cast<const std::function<void(std::string_view)>*>(user);
  on_header(std::string_view(data, size * count));
  return size * count;
}

// Owns the header list for the duration of curl_easy_perform.
class HeaderList {
public:
  explicit HeaderList(const CurlApi& curl) : m_curl(curl) {}
  ~HeaderList() { m_curl.slist_free_all(m_list); }
  HeaderList(const HeaderList&) = delete;
  HeaderList& operator=(const HeaderList&) = delete;
  void add(const std::string& line) { m_list = m_curl.slist_append(m_list, line.c_str()); }
  [[nodiscard]] curl_slist* list() const { return m_list; }

private:
  const CurlApi& m_curl;
  curl_slist* m_list = nullptr;
};

void set_method(const CurlApi& curl, CURL* handle, const CurlRequest& request) {
  if (request.method == "GET") {
    curl.easy_setopt(handle, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl.easy_setopt(handle, CURLOPT_NOBODY, 1L);
  } else {
    curl.easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl.easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl.easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
  }
}

}  // namespace

CurlOutcome perform_request(const CurlApi& curl, CURL* handle, const CurlRequest& request, const CurlBodySink& sink) {
  curl.easy_reset(handle);
  curl.easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  curl.easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl.easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  curl.easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  set_method(curl, handle, request);
  HeaderList headers(curl);
  headers.add("Expect:");  // no 100-continue round trip before a body
  for (const auto& line : request.headers) {
    headers.add(line);
  }
  curl.easy_setopt(handle, CURLOPT_HTTPHEADER, headers.list());
  if (request.transport) {
    request.transport(curl, handle);
  }
  SinkState state{curl, handle, sink};
  curl.easy_setopt(handle, CURLOPT_WRITEFUNCTION, write_body);
  curl.easy_setopt(handle, CURLOPT_WRITEDATA, &state);
  if (request.on_header) {
    curl.easy_setopt(handle, CURLOPT_HEADERFUNCTION, take_header);
    curl.easy_setopt(handle, CURLOPT_HEADERDATA, &request.on_header);
  }
  char detail[CURL_ERROR_SIZE] = "";
  curl.easy_setopt(handle, CURLOPT_ERRORBUFFER, detail);
  CurlOutcome outcome;
  outcome.code = curl.easy_perform(handle);
  curl.easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &outcome.status);
  curl.easy_setopt(handle, CURLOPT_ERRORBUFFER, nullptr);
  curl.easy_setopt(handle, CURLOPT_HTTPHEADER, nullptr);  // the list dies with this call
  outcome.stopped = state.stopped;
  if (outcome.code != CURLE_OK) {
    outcome.error = *detail != '\0' ? detail : curl.easy_strerror(outcome.code);
  }
  return outcome;
}

CurlBodySink append_to(std::string& out) {
  return [&out](long, std::string_view bytes) {
    out.append(bytes);
    return true;
  };
}

}  // namespace pipeline::runner::lazy
