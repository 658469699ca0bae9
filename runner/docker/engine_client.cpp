#include "runner/docker/engine_client.hpp"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <nlohmann/json.hpp>

#include "runner/docker/engine_json.hpp"
#include "runner/docker/frame_decoder.hpp"

namespace pipeline::runner::docker {
namespace {

using namespace engine_json;

constexpr const char* k_client_api = "1.41";
constexpr auto k_brief_wait = std::chrono::milliseconds(15000);

// Compares "1.41"-style versions numerically.
bool version_less(const std::string& a, const std::string& b) {
  auto split = [](const std::string& v) {
    const auto dot = v.find('.');
    return std::pair{std::atoi(v.substr(0, dot).c_str()), dot == std::string::npos ? 0 : std::atoi(v.c_str() + dot + 1)};
  };
  return split(a) < split(b);
}

// Collects decoded frames into one string (service logs for error messages).
class StringSink final : public OutputSink {
public:
  void write(Stream, std::string_view bytes) override { text.append(bytes); }
  std::string text;
};

}  // namespace

Labels pipe_labels(const std::string& run_id, const std::string& job_id) {
  char host[256] = "";
  ::gethostname(host, sizeof host - 1);
  return {{"pipe", "1"}, {"pipe.run", run_id}, {"pipe.job", job_id},
          {"pipe.host", host}, {"pipe.pid", std::to_string(::getpid())}};
}

EngineClient::EngineClient(const EngineEndpoint& endpoint) : m_http(endpoint) {}

Result<std::shared_ptr<EngineClient>> EngineClient::connect(const EngineEndpoint& endpoint) {
  auto client = std::make_shared<EngineClient>(endpoint);
  auto api = client->ping();
  if (!api) {
    return api.error();
  }
  if (api->empty()) {  // an engine without the header: /version, which asks containerd, says it
    auto server = client->version();
    if (!server) {
      return server.error();
    }
    *api = server->api_version;
  }
  if (!api->empty() && version_less(*api, k_client_api)) {
    client->m_api_version = *api;
  }
  return client;
}

Result<std::shared_ptr<EngineClient>> EngineClient::connect_to(EngineKind kind) {
  const char* host = std::getenv("DOCKER_HOST");
  if (kind == EngineKind::docker || (host != nullptr && *host != '\0')) {
    return connect_from_environment();
  }
  auto endpoint = find_answering_socket(podman_socket_candidates());
  if (!endpoint) {
    return endpoint.error();
  }
  return connect(*endpoint);
}

Result<EngineEndpoint> EngineClient::find_answering_socket(const std::vector<std::string>& sockets) {
  std::string tried;
  for (const auto& socket : sockets) {
    auto endpoint = endpoint_from_host(socket, false, "");
    if (!endpoint) {
      return endpoint.error();
    }
    EngineClient probe(*endpoint);
    auto answered = probe.ping();
    if (answered) {
      return *endpoint;
    }
    tried += "\n  " + socket + ": " + answered.error().message;
  }
  return Error{"no Podman socket answers; tried:" + tried +
               "\n(start it with `systemctl --user start podman.socket` or `podman system service`, or set DOCKER_HOST)"};
}

Result<std::shared_ptr<EngineClient>> EngineClient::connect_from_environment() {
  auto endpoint = endpoint_from_environment();
  if (!endpoint) {
    return endpoint.error();
  }
  return connect(*endpoint);
}

std::string EngineClient::path(const std::string& rest) const {
  return "/v" + m_api_version + rest;
}

Result<HttpResponse> EngineClient::call(const std::string& method, const std::string& rest, const std::string& body,
                                        const std::string& content_type, Wait wait) {
  if (wait == Wait::brief && m_unresponsive) {
    return Error{"the Docker engine at " + endpoint().display + " stopped answering; not waiting for " + method + " " + rest};
  }
  HttpRequest request;
  request.method = method;
  request.path = path(rest);
  request.body = body;
  request.content_type = content_type;
  if (wait == Wait::brief) {
    request.timeout = k_brief_wait;
  }
  const auto started = std::chrono::steady_clock::now();
  auto response = m_http.send(request);
  if (response) {
    m_unresponsive = false;
  } else if (wait == Wait::brief && std::chrono::steady_clock::now() - started >= k_brief_wait) {
    m_unresponsive = true;
  }
  return response;
}

Result<HttpResponse> EngineClient::call_json(const std::string& method, const std::string& rest, const json& body,
                                             Wait wait) {
  return call(method, rest, json_text(body), "application/json", wait);
}

Error EngineClient::api_error(const std::string& what, const HttpResponse& response) const {
  std::string message = response.body;
  const json parsed = json::parse(response.body, nullptr, false);
  if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string()) {
    message = parsed["message"].get<std::string>();
  }
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) {
    message.pop_back();
  }
  return Error{what + ": " + message + " (HTTP " + std::to_string(response.status) + ")"};
}

Result<void> EngineClient::expect_ok(const std::string& what, const Result<HttpResponse>& response) const {
  if (!response) {
    return response.error();
  }
  if (response->status >= 300) {
    return api_error(what, *response);
  }
  return {};
}

Result<std::string> EngineClient::ping() {
  HttpRequest request;
  request.path = "/_ping";
  request.timeout = std::chrono::milliseconds(5000);
  request.keep_headers = true;
  auto response = m_http.send(request);
  if (auto ok = expect_ok("ping", response); !ok) {
    return ok.error();
  }
  return response->header("Api-Version");
}

Result<EngineVersion> EngineClient::version() {
  HttpRequest request;
  request.path = "/version";  // unversioned: it is how the version gets settled
  request.timeout = std::chrono::milliseconds(5000);
  auto response = m_http.send(request);
  if (auto ok = expect_ok("version", response); !ok) {
    return ok.error();
  }
  const json body = json::parse(response->body, nullptr, false);
  if (!body.is_object()) {
    return Error{"the Docker engine at " + endpoint().display + " answered /version with something that is not JSON"};
  }
  return EngineVersion{body.value("Version", ""), body.value("ApiVersion", ""), body.value("Os", "")};
}

Result<std::string> EngineClient::create_container(const json& body, const std::string& name) {
  auto response = call_json("POST", "/containers/create" + (name.empty() ? "" : "?name=" + uri_escape(name)), body);
  if (auto ok = expect_ok("creating a container from " + body.value("Image", std::string("?")), response); !ok) {
    return ok.error();
  }
  return id_in(response->body);
}

Result<void> EngineClient::start_container(const std::string& id) {
  return expect_ok("starting container " + id.substr(0, 12), call("POST", "/containers/" + id + "/start"));
}

Result<ContainerInfo> EngineClient::inspect_container(const std::string& id) {
  auto response = call("GET", "/containers/" + id + "/json");
  if (auto ok = expect_ok("inspecting container " + id.substr(0, 12), response); !ok) {
    return ok.error();
  }
  const json body = json::parse(response->body, nullptr, false);
  if (!member(body, "State").is_object()) {
    return Error{"inspecting container " + id.substr(0, 12) + ": the engine's answer has no State"};
  }
  ContainerInfo info;
  info.id = body.value("Id", "");
  info.name = body.value("Name", "");
  const json& state = member(body, "State");
  info.running = state.value("Running", false);
  info.exit_code = state.value("ExitCode", 0);
  info.oom_killed = state.value("OOMKilled", false);
  if (member(state, "Health").is_object()) {
    info.health = member(state, "Health").value("Status", "");
  }
  info.labels = labels_of(member(member(body, "Config"), "Labels"));
  info.config = json{{"Config", member(body, "Config")}, {"HostConfig", member(body, "HostConfig")}}.dump();
  const json& ports = member(member(body, "NetworkSettings"), "Ports");
  if (ports.is_object()) {
    for (const auto& [port, bindings] : ports.items()) {
      if (bindings.is_array() && !bindings.empty()) {
        info.ports[port] = bindings[0].value("HostPort", "");
      }
    }
  }
  return info;
}

Result<int> EngineClient::wait_container(const std::string& id) {
  HttpRequest request;
  request.method = "POST";
  request.path = path("/containers/" + id + "/wait");
  request.timeout = std::chrono::milliseconds(0);
  std::string body;
  auto status = m_http.stream(request, [&](std::string_view chunk) {
    body.append(chunk);
    return true;
  });
  if (!status) {
    return status.error();
  }
  if (*status >= 300) {
    return api_error("waiting for container " + id.substr(0, 12), HttpResponse{*status, body});
  }
  const json parsed = json::parse(body, nullptr, false);
  const json& code = member(parsed, "StatusCode");
  return code.is_number() ? code.get<int>() : -1;
}

Result<void> EngineClient::kill_container(const std::string& id, const std::string& signal) {
  return expect_ok("killing container " + id.substr(0, 12), call("POST", "/containers/" + id + "/kill?signal=" + signal));
}

Result<void> EngineClient::remove_container(const std::string& id, Wait wait) {
  auto response = call("DELETE", "/containers/" + id + "?force=1&v=1", "", "", wait);
  if (response && response->status == 404) {
    return {};  // already gone: removal is idempotent
  }
  if (response && response->status == 409 && response->body.find("already in progress") != std::string::npos) {
    return await_removal(id);  // another pipe's cleanup got there first
  }
  return expect_ok("removing container " + id.substr(0, 12), response);
}

Result<void> EngineClient::await_removal(const std::string& id) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto response = call("GET", "/containers/" + id + "/json");
    if (!response) {
      return response.error();
    }
    if (response->status == 404) {
      return {};
    }
    std::this_thread::sleep_for(k_engine_poll);
  }
  return Error{"removing container " + id.substr(0, 12) + ": another removal did not finish within 30 s"};
}

Result<std::vector<LabelledObject>> EngineClient::list_containers(const std::string& label) {
  auto response = call("GET", "/containers/json?all=1&filters=" + label_filter(label));
  if (auto ok = expect_ok("listing containers", response); !ok) {
    return ok.error();
  }
  std::vector<LabelledObject> found;
  const json items = json::parse(response->body, nullptr, false);
  for (const json& item : items.is_array() ? items : json::array()) {
    const json& names = member(item, "Names");
    found.push_back({item.value("Id", ""), names.is_array() && !names.empty() ? names[0].get<std::string>() : "",
                     labels_of(member(item, "Labels"))});
  }
  return found;
}

Result<std::string> EngineClient::logs(const std::string& id, int lines) {
  auto response = call("GET", "/containers/" + id + "/logs?stdout=1&stderr=1&tail=" + std::to_string(lines));
  if (auto ok = expect_ok("reading the logs of " + id.substr(0, 12), response); !ok) {
    return ok.error();
  }
  StringSink sink;
  FrameDecoder decoder;
  decoder.feed(response->body, sink);
  return sink.text;
}

}  // namespace pipeline::runner::docker
