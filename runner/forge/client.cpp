#include "runner/forge/client.hpp"

#include "runner/system/lazy/curl.hpp"

namespace pipeline::runner::forge {

using json = nlohmann::json;

namespace {

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

/// Owns one easy handle and its header list for the length of a call.
class Request {
public:
  explicit Request(const lazy::CurlApi& curl) : m_curl(curl), m_handle(curl.easy_init()) {}
  ~Request() {
    m_curl.slist_free_all(m_headers);
    if (m_handle != nullptr) {
      m_curl.easy_cleanup(m_handle);
    }
  }
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;

  [[nodiscard]] CURL* handle() const { return m_handle; }
  void header(const std::string& line) { m_headers = m_curl.slist_append(m_headers, line.c_str()); }
  [[nodiscard]] curl_slist* headers() const { return m_headers; }

private:
  const lazy::CurlApi& m_curl;
  CURL* m_handle;
  curl_slist* m_headers = nullptr;
};

std::string trimmed_instance(std::string instance) {
  while (!instance.empty() && instance.back() == '/') {
    instance.pop_back();
  }
  return instance;
}

}  // namespace

std::string connect_error_text(const std::string& body) {
  try {
    const auto parsed = json::parse(body);
    if (parsed.is_object() && parsed.contains("code")) {
      const std::string code = parsed["code"].is_string() ? parsed["code"].get<std::string>() : parsed["code"].dump();
      const std::string message =
          parsed.contains("message") && parsed["message"].is_string() ? parsed["message"].get<std::string>() : "";
      return message.empty() ? code : code + ": " + message;
    }
  } catch (const std::exception&) {
  }
  std::string start = body.substr(0, 200);
  for (char& c : start) {
    if (c == '\n' || c == '\r') {
      c = ' ';
    }
  }
  return start.empty() ? "empty answer" : start;
}

ForgeClient::ForgeClient(std::string instance, TlsCheck tls, std::string uuid, std::string token)
    : m_instance(std::move(instance)),
      m_base(trimmed_instance(m_instance) + "/api/actions/"),
      m_tls(tls),
      m_uuid(std::move(uuid)),
      m_token(std::move(token)) {}

Result<json> ForgeClient::call(std::string_view method, const json& body, std::chrono::milliseconds timeout) const {
  auto curl = lazy::curl();
  if (!curl) {
    return curl.error();
  }
  const lazy::CurlApi& api = **curl;
  Request request(api);
  if (request.handle() == nullptr) {
    return Error{std::string(method) + ": cannot start a request"};
  }
  const std::string url = m_base + std::string(method);
  const std::string payload = body.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string answer;
  request.header("Content-Type: application/json");
  request.header("Accept: application/json");
  request.header("Connect-Protocol-Version: 1");
  if (!m_uuid.empty()) {
    request.header("x-runner-uuid: " + m_uuid);
  }
  if (!m_token.empty()) {
    request.header("x-runner-token: " + m_token);
  }
  CURL* h = request.handle();
  api.easy_setopt(h, CURLOPT_URL, url.c_str());
  api.easy_setopt(h, CURLOPT_HTTPHEADER, request.headers());
  api.easy_setopt(h, CURLOPT_POSTFIELDS, payload.c_str());
  api.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
  api.easy_setopt(h, CURLOPT_WRITEFUNCTION, append_body);
  api.easy_setopt(h, CURLOPT_WRITEDATA, &answer);
  api.easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  api.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  api.easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  if (m_tls == TlsCheck::skip) {
    api.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    api.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  const CURLcode code = api.easy_perform(h);
  if (code != CURLE_OK) {
    return Error{std::string(method) + ": " + m_instance + ": " + api.easy_strerror(code)};
  }
  long status = 0;
  api.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    return Error{std::string(method) + ": " + connect_error_text(answer) + " (HTTP " + std::to_string(status) + ")"};
  }
  try {
    return answer.empty() ? json::object() : json::parse(answer);
  } catch (const std::exception&) {
    return Error{std::string(method) + ": the answer is not JSON: " + connect_error_text(answer)};
  }
}

Result<void> ForgeClient::ping() const {
  auto answer = call(k_ping, {{"data", "pipe"}});
  if (!answer) {
    return answer.error();
  }
  return {};
}

Result<RunnerInfo> ForgeClient::register_runner(const std::string& name, const std::string& token,
                                                const std::string& version,
                                                const std::vector<std::string>& labels) const {
  auto answer = call(k_register, register_request(name, token, version, labels));
  return answer ? parse_runner_answer(*answer) : Result<RunnerInfo>(answer.error());
}

Result<RunnerInfo> ForgeClient::declare(const std::string& version, const std::vector<std::string>& labels) const {
  auto answer = call(k_declare, declare_request(version, labels));
  return answer ? parse_runner_answer(*answer) : Result<RunnerInfo>(answer.error());
}

Result<FetchAnswer> ForgeClient::fetch_task(std::int64_t tasks_version, std::chrono::milliseconds timeout) const {
  auto answer = call(k_fetch_task, fetch_request(tasks_version), timeout);
  return answer ? parse_fetch_answer(*answer) : Result<FetchAnswer>(answer.error());
}

Result<UpdateTaskAnswer> ForgeClient::update_task(const TaskState& state, const StringMap& outputs) const {
  auto answer = call(k_update_task, update_task_request(state, outputs));
  return answer ? parse_update_task_answer(*answer) : Result<UpdateTaskAnswer>(answer.error());
}

Result<std::int64_t> ForgeClient::update_log(std::int64_t task_id, std::int64_t index,
                                             const std::vector<LogRow>& rows, bool no_more) const {
  auto answer = call(k_update_log, update_log_request(task_id, index, rows, no_more));
  return answer ? parse_ack_index(*answer) : Result<std::int64_t>(answer.error());
}

}  // namespace pipeline::runner::forge
