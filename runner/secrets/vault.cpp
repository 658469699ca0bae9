#include "runner/secrets/vault.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "runner/system/lazy/curl_request.hpp"
#include "runner/trace/trace.hpp"
#include "workflow/base/json_text.hpp"

namespace pipeline::runner::secrets {

namespace fs = std::filesystem;
using json = nlohmann::json;

struct VaultClient::Response {
  long status = 0;  // 0: no answer; `body` then holds the transport error
  std::string body;
};

namespace {

std::string read_trimmed_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return {};
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string value = text.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r' || value.back() == ' ')) {
    value.pop_back();
  }
  return value;
}

std::string env_or(const Lookup& env, const char* name, const std::string& fallback) {
  auto value = env(name);
  return value && !value->empty() ? *value : fallback;
}

Result<std::string> credential(const Lookup& env, const char* variable, const std::string& file, const char* what) {
  if (auto value = env(variable); value && !value->empty()) {
    return *value;
  }
  if (file.empty()) {
    return Error{std::string("vault: no ") + what + ": set " + variable + " or give its file in the config"};
  }
  std::string value = read_trimmed_file(file);
  if (value.empty()) {
    return Error{std::string("vault: cannot read the ") + what + " from " + file};
  }
  return value;
}

bool truthy(const std::string& text) {
  return text == "1" || text == "true" || text == "yes" || text == "TRUE" || text == "True";
}

/// The `errors` array of a Vault error response, joined; the raw body when it has none.
std::string vault_errors(const std::string& body) {
  try {
    const auto parsed = json::parse(body);
    if (parsed.contains("errors") && parsed["errors"].is_array()) {
      std::string out;
      for (const auto& e : parsed["errors"]) {
        out += (out.empty() ? "" : "; ") + (e.is_string() ? e.get<std::string>() : json_text(e));
      }
      return out.empty() ? "no error message" : out;
    }
  } catch (const std::exception&) {
  }
  return body.substr(0, 200);
}

void set_tls_options(const lazy::CurlApi& curl, CURL* handle, const VaultSettings& settings) {
  if (!settings.cacert.empty()) {
    curl.easy_setopt(handle, CURLOPT_CAINFO, settings.cacert.c_str());
  }
  if (!settings.capath.empty()) {
    curl.easy_setopt(handle, CURLOPT_CAPATH, settings.capath.c_str());
  }
  if (settings.tls == TlsVerify::skip) {
    curl.easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 0L);
    curl.easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 0L);
  }
}

bool retryable(long status) {
  return status == 0 || status == 412 || status == 429 || status >= 500;
}

std::string strip_slashes(std::string_view text) {
  while (!text.empty() && text.front() == '/') {
    text.remove_prefix(1);
  }
  while (!text.empty() && text.back() == '/') {
    text.remove_suffix(1);
  }
  return std::string(text);
}

std::string value_text(const json& value) {
  return value.is_string() ? value.get<std::string>() : json_text(value);
}

Result<void> approle_credentials(const VaultSources& sources, const Lookup& env, VaultSettings& s) {
  auto role_id = credential(env, "VAULT_ROLE_ID", sources.role_id_file, "AppRole role_id");
  if (!role_id) {
    return role_id.error();
  }
  auto secret_id = credential(env, "VAULT_SECRET_ID", sources.secret_id_file, "AppRole secret_id");
  if (!secret_id) {
    return secret_id.error();
  }
  s.role_id = std::move(*role_id);
  s.secret_id = std::move(*secret_id);
  return {};
}

Result<void> jwt_credentials(const VaultSources& sources, VaultSettings& s) {
  s.role = sources.role;
  s.jwt = sources.jwt_file.empty() ? std::string() : read_trimmed_file(sources.jwt_file);
  if (s.jwt.empty()) {
    return Error{"vault: jwt auth needs vault.auth.jwt-file naming a readable file with the token"};
  }
  return {};
}

Result<void> token_credentials(const Lookup& env, VaultSettings& s) {
  // The vault CLI keeps the token of `vault login` in ~/.vault-token.
  s.token = env_or(env, "VAULT_TOKEN", "");
  if (s.token.empty()) {
    const std::string home = env_or(env, "HOME", "");
    s.token = home.empty() ? std::string() : read_trimmed_file((fs::path(home) / ".vault-token").string());
  }
  if (s.token.empty()) {
    return Error{"vault: no token: set VAULT_TOKEN, log in with `vault login` (~/.vault-token) or use "
                 "vault.auth.method approle or jwt"};
  }
  return {};
}

Result<void> resolve_credentials(const VaultSources& sources, const Lookup& env, VaultSettings& s) {
  const std::string method = sources.auth_method.empty() ? "token" : sources.auth_method;
  if (method == "approle") {
    s.auth = VaultAuth::approle;
    return approle_credentials(sources, env, s);
  }
  if (method == "jwt") {
    s.auth = VaultAuth::jwt;
    return jwt_credentials(sources, s);
  }
  if (method == "token") {
    s.auth = VaultAuth::token;
    return token_credentials(env, s);
  }
  return Error{"vault: unknown auth method '" + method + "' (token, approle or jwt)"};
}

}  // namespace

Result<VaultSettings> resolve_vault_settings(const VaultSources& sources, const Lookup& env) {
  VaultSettings s;
  s.address = env_or(env, "VAULT_ADDR", sources.address);
  while (!s.address.empty() && s.address.back() == '/') {
    s.address.pop_back();
  }
  if (s.address.empty()) {
    return Error{"vault: no server address: set VAULT_ADDR or vault.address in the config"};
  }
  s.vault_namespace = env_or(env, "VAULT_NAMESPACE", sources.vault_namespace);
  s.cacert = env_or(env, "VAULT_CACERT", sources.cacert);
  s.capath = env_or(env, "VAULT_CAPATH", sources.capath);
  s.tls = truthy(env_or(env, "VAULT_SKIP_VERIFY", sources.skip_verify)) ? TlsVerify::skip : TlsVerify::verify;
  s.mount = sources.mount;
  if (auto credentials = resolve_credentials(sources, env, s); !credentials) {
    return credentials.error();
  }
  return s;
}

VaultClient::VaultClient(VaultSettings settings) : m_settings(std::move(settings)) {}

std::string VaultClient::redact(std::string text) const {
  for (const std::string* secret : {&m_settings.token, &m_settings.secret_id, &m_settings.jwt}) {
    if (secret->empty()) {
      continue;
    }
    for (auto at = text.find(*secret); at != std::string::npos; at = text.find(*secret, at)) {
      text.replace(at, secret->size(), "***");
    }
  }
  return text;
}

Result<VaultClient::Response> VaultClient::send_once(const std::string& method, const std::string& api_path,
                                                     const std::string& body, std::chrono::milliseconds timeout) {
  auto loaded = lazy::curl();
  if (!loaded) {
    return Error{"vault: " + m_settings.address + ": " + loaded.error().message};
  }
  const lazy::CurlApi& curl = **loaded;
  CURL* handle = curl.easy_init();
  if (!handle) {
    return Error{"vault: cannot create an HTTP handle"};
  }
  lazy::CurlRequest request;
  request.method = method;
  request.url = m_settings.address + "/v1/" + api_path;
  // The token travels only in this header; it is never part of a message.
  if (!m_settings.token.empty()) {
    request.headers.push_back("X-Vault-Token: " + m_settings.token);
  }
  if (!m_settings.vault_namespace.empty()) {
    request.headers.push_back("X-Vault-Namespace: " + m_settings.vault_namespace);
  }
  request.headers.emplace_back("Content-Type: application/json");
  request.body = body;
  request.timeout = std::max(std::chrono::milliseconds(1), timeout);
  request.connect_timeout = std::min(request.timeout, std::chrono::milliseconds(5000));
  request.transport = [this](const lazy::CurlApi& api, CURL* raw) { set_tls_options(api, raw, m_settings); };
  Response response;
  ++m_requests;
  const auto started = trace::enabled(trace::Level::debug) ? std::chrono::steady_clock::now()
                                                            : std::chrono::steady_clock::time_point{};
  const lazy::CurlOutcome outcome = lazy::perform_request(curl, handle, request, lazy::append_to(response.body));
  curl.easy_cleanup(handle);
  // The API path and the status only: the token, the login body and the answer hold secrets.
  trace::debug([&] {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    return "vault " + method + " /v1/" + api_path + " -> " +
           (outcome.code == CURLE_OK ? std::to_string(outcome.status) : std::string("failed")) + " (" +
           std::to_string(ms) + " ms)";
  });
  response.status = outcome.status;
  const CURLcode code = outcome.code;
  if (code != CURLE_OK) {
    const std::string detail = redact("vault: " + m_settings.address + ": " + outcome.error);
    // A dropped connection or a timeout may pass; a refused connection or a bad certificate will not.
    const bool transient = code == CURLE_OPERATION_TIMEDOUT || code == CURLE_GOT_NOTHING ||
                           code == CURLE_SEND_ERROR || code == CURLE_RECV_ERROR;
    if (!transient) {
      return Error{detail};
    }
    return Response{0, detail};
  }
  return response;
}

Result<VaultClient::Response> VaultClient::send(const std::string& method, const std::string& api_path,
                                                const std::string& body) {
  // Vault answers 412 while a standby catches up and 429/5xx under load: retry with backoff,
  // but never past the budget, so a dead server cannot hold a run for long. Each attempt may
  // take only what is left of the budget: a server that accepts and never answers would
  // otherwise hold one attempt for curl's whole timeout.
  using std::chrono::milliseconds;
  const auto deadline = std::chrono::steady_clock::now() + m_settings.retry_budget;
  auto delay = milliseconds(50);
  while (true) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    auto response = send_once(method, api_path, body, std::max(left, milliseconds(1)));
    if (!response || !retryable(response->status)) {
      return response;
    }
    if (std::chrono::steady_clock::now() + delay > deadline) {
      return response->status == 0 ? Result<Response>(Error{response->body}) : response;
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(1000));
  }
}

Result<void> VaultClient::login() {
  if (m_settings.auth == VaultAuth::token) {
    return m_settings.token.empty() ? Result<void>(Error{"vault: no token"}) : Result<void>();
  }
  const bool approle = m_settings.auth == VaultAuth::approle;
  const std::string mount = strip_slashes(m_settings.mount.empty() ? (approle ? "approle" : "jwt") : m_settings.mount);
  const json body = approle ? json{{"role_id", m_settings.role_id}, {"secret_id", m_settings.secret_id}}
                            : json{{"role", m_settings.role}, {"jwt", m_settings.jwt}};
  auto response = send("POST", "auth/" + mount + "/login", json_text(body));
  if (!response) {
    return response.error();
  }
  const std::string what = std::string(approle ? "AppRole" : "JWT") + " login at auth/" + mount;
  if (response->status != 200) {
    return Error{redact("vault: " + what + " failed (HTTP " + std::to_string(response->status) +
                        "): " + vault_errors(response->body))};
  }
  try {
    m_settings.token = json::parse(response->body).at("auth").at("client_token").get<std::string>();
  } catch (const std::exception&) {
    return Error{"vault: " + what + ": the answer has no auth.client_token"};
  }
  return {};
}

Result<VaultClient::Mount> VaultClient::mount_of(const std::string& path) {
  // Without an answer (older servers, no permission on the lookup) the path is read verbatim;
  // a server that could not be reached at all is not asked a second time.
  Mount mount;
  auto lookup = send("GET", "sys/internal/ui/mounts/" + path, "");
  if (!lookup) {
    return lookup.error();
  }
  if (lookup->status != 200) {
    return mount;
  }
  try {
    const auto data = json::parse(lookup->body).at("data");
    mount.path = strip_slashes(data.value("path", ""));
    const auto options = data.contains("options") ? data["options"] : json();
    if (options.is_object() && options.contains("version") && !options["version"].is_null()) {
      mount.version = value_text(options["version"]) == "2" ? 2 : 1;
    }
  } catch (const std::exception&) {
    mount = Mount{};
  }
  return mount;
}

std::string VaultClient::kv_api_path(const std::string& path, const Mount& mount) {
  if (mount.version != 2 || mount.path.empty() || path.rfind(mount.path + "/", 0) != 0) {
    return path;
  }
  std::string rest = path.substr(mount.path.size() + 1);
  if (rest.rfind("data/", 0) == 0) {
    rest = rest.substr(5);  // written the way the API wants it: keep it once
  }
  return mount.path + "/data/" + rest;
}

Result<VaultData> VaultClient::read(std::string_view written) {
  const std::string path = strip_slashes(written);
  const auto found = mount_of(path);
  if (!found) {
    return found.error();
  }
  const Mount mount = *found;
  auto response = send("GET", kv_api_path(path, mount), "");
  if (!response) {
    return response.error();
  }
  if (response->status == 403) {
    return Error{redact("vault: permission denied reading '" + path + "' (HTTP 403): " +
                        vault_errors(response->body))};
  }
  if (response->status == 404) {
    return Error{"vault: no secret at '" + path + "' (HTTP 404)"};
  }
  if (response->status != 200) {
    return Error{redact("vault: reading '" + path + "' failed (HTTP " + std::to_string(response->status) +
                        "): " + vault_errors(response->body))};
  }
  VaultData out;
  try {
    auto data = json::parse(response->body).at("data");
    for (const auto& [key, value] : (mount.version == 2 ? data.at("data") : data).items()) {
      out[key] = value_text(value);
    }
  } catch (const std::exception& e) {
    return Error{"vault: reading '" + path + "': unexpected answer: " + e.what()};
  }
  return out;
}

}  // namespace pipeline::runner::secrets
