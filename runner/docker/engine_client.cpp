#include "runner/docker/engine_client.hpp"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <nlohmann/json.hpp>

#include "runner/docker/frame_decoder.hpp"
#include "runner/docker/tar_stream.hpp"
#include "workflow/json_text.hpp"

namespace pipeline::runner::docker {
namespace {

using nlohmann::json;

constexpr const char* k_client_api = "1.41";
constexpr auto k_exec_poll = std::chrono::milliseconds(50);
constexpr auto k_brief_wait = std::chrono::milliseconds(15000);

// Compares "1.41"-style versions numerically.
bool version_less(const std::string& a, const std::string& b) {
  auto split = [](const std::string& v) {
    const auto dot = v.find('.');
    return std::pair{std::atoi(v.substr(0, dot).c_str()), dot == std::string::npos ? 0 : std::atoi(v.c_str() + dot + 1)};
  };
  return split(a) < split(b);
}

std::string base64url(std::string_view in) {
  static constexpr char k_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned value = 0;
  int bits = -6;
  for (unsigned char c : in) {
    value = (value << 8) | c;
    bits += 8;
    while (bits >= 0) {
      out.push_back(k_chars[(value >> bits) & 0x3F]);
      bits -= 6;
    }
  }
  if (bits > -6) {
    out.push_back(k_chars[((value << 8) >> (bits + 8)) & 0x3F]);
  }
  while (out.size() % 4 != 0) {
    out.push_back('=');
  }
  return out;
}

// "registry:5000/a/b:tag" -> {"registry:5000/a/b", "tag"}; digests stay in the name.
std::pair<std::string, std::string> split_reference(const std::string& image) {
  if (image.find('@') != std::string::npos) {
    return {image, ""};
  }
  const auto colon = image.rfind(':');
  const auto slash = image.rfind('/');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) {
    return {image, "latest"};
  }
  return {image.substr(0, colon), image.substr(colon + 1)};
}


std::string label_filter(const std::string& label) {
  return url_encode(json_text(json{{"label", json::array({label})}}));
}

Labels labels_of(const json& value) {
  Labels labels;
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      labels[key] = item.is_string() ? item.get<std::string>() : std::string();
    }
  }
  return labels;
}

// A member of a JSON object, or null: answers from other engine versions may omit fields.
const json& member(const json& value, const char* key) {
  static const json k_null;
  if (!value.is_object()) {
    return k_null;
  }
  const auto it = value.find(key);
  return it == value.end() ? k_null : *it;
}

// The "Id" of a create answer.
std::string id_in(const std::string& body) {
  const json parsed = json::parse(body, nullptr, false);
  const json& id = member(parsed, "Id");
  return id.is_string() ? id.get<std::string>() : std::string();
}

// Collects decoded frames into one string (service logs for error messages).
class StringSink final : public OutputSink {
public:
  void write(Stream, std::string_view bytes) override { text.append(bytes); }
  std::string text;
};

}  // namespace

std::string url_encode(std::string_view value) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 0xF];
    }
  }
  return out;
}

Labels pipe_labels(const std::string& run_id, const std::string& job_id) {
  char host[256] = "";
  ::gethostname(host, sizeof host - 1);
  return {{"pipe", "1"}, {"pipe.run", run_id}, {"pipe.job", job_id},
          {"pipe.host", host}, {"pipe.pid", std::to_string(::getpid())}};
}

EngineClient::EngineClient(const EngineEndpoint& endpoint) : m_http(endpoint) {}

Result<std::shared_ptr<EngineClient>> EngineClient::connect(const EngineEndpoint& endpoint) {
  auto client = std::make_shared<EngineClient>(endpoint);
  auto server = client->version();
  if (!server) {
    return server.error();
  }
  if (!server->api_version.empty() && version_less(server->api_version, k_client_api)) {
    client->m_api_version = server->api_version;
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

Result<void> EngineClient::ping() {
  HttpRequest request;
  request.path = "/_ping";
  request.timeout = std::chrono::milliseconds(5000);
  auto response = m_http.send(request);
  return expect_ok("ping", response);
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

Result<bool> EngineClient::image_exists(const std::string& image) {
  auto id = image_id(image);
  if (!id) {
    return id.error();
  }
  return !id->empty();
}

Result<std::string> EngineClient::image_id(const std::string& image) {
  auto response = call("GET", "/images/" + url_encode(image) + "/json");
  if (!response) {
    return response.error();
  }
  if (response->status == 404) {
    return std::string();
  }
  if (response->status >= 300) {
    return api_error("inspecting image " + image, *response);
  }
  const json body = json::parse(response->body, nullptr, false);
  const json& id = member(body, "Id");
  return id.is_string() ? id.get<std::string>() : std::string("?");
}

Result<void> EngineClient::remove_volume(const std::string& name) {
  auto response = call("DELETE", "/volumes/" + url_encode(name));
  if (response && response->status == 404) {
    return {};
  }
  return expect_ok("removing volume " + name, response);
}

Result<void> EngineClient::log_in(const std::string& image, const RegistryAuth& auth) {
  const std::string registry = registry_of(image);
  const json body{{"username", auth.username}, {"password", auth.password}, {"serveraddress", registry}};
  auto response = call_json("POST", "/auth", body);
  // The engine's message names the registry and its answer, never the password.
  return expect_ok("logging in to " + registry + " for image " + image, response);
}

Result<void> EngineClient::pull_image(const std::string& image, const std::optional<RegistryAuth>& auth,
                                      const std::function<void(const std::string&)>& on_progress) {
  const auto [name, tag] = split_reference(image);
  HttpRequest request;
  request.method = "POST";
  request.path = path("/images/create?fromImage=" + url_encode(name) + (tag.empty() ? "" : "&tag=" + url_encode(tag)));
  request.timeout = std::chrono::milliseconds(0);
  if (auth) {
    const json credentials{{"username", auth->username}, {"password", auth->password}, {"serveraddress", registry_of(image)}};
    request.headers.push_back("X-Registry-Auth: " + base64url(json_text(credentials)));
  }
  std::string pending;
  std::string failure;
  auto status = m_http.stream(request, [&](std::string_view chunk) {
    pending.append(chunk);
    for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
      const json line = json::parse(pending.substr(0, end), nullptr, false);
      pending.erase(0, end + 1);
      if (line.is_object() && line.contains("error")) {
        failure = line["error"].is_string() ? line["error"].get<std::string>() : json_text(line["error"]);
      } else if (line.is_object() && on_progress && !line.contains("progress")) {
        // Byte counts come many times a second per layer; the layer's steps are progress enough.
        on_progress(line.value("status", "") + (line.contains("id") ? " " + line.value("id", "") : ""));
      }
    }
    return true;
  });
  if (!status) {
    return status.error();
  }
  if (*status >= 300) {
    return api_error("pulling image " + image, HttpResponse{*status, pending});
  }
  if (!failure.empty()) {
    return Error{"pulling image " + image + ": " + failure};
  }
  return {};
}

Result<std::string> EngineClient::create_container(const json& body, const std::string& name) {
  auto response = call_json("POST", "/containers/create" + (name.empty() ? "" : "?name=" + url_encode(name)), body);
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
    std::this_thread::sleep_for(k_exec_poll);
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

Result<std::string> EngineClient::create_exec(const std::string& container, const ExecConfig& config, Wait wait) {
  json body{{"AttachStdout", true}, {"AttachStderr", true}, {"AttachStdin", false}, {"Tty", false},
            {"Cmd", config.cmd}, {"Env", config.env}};
  if (!config.working_dir.empty()) {
    body["WorkingDir"] = config.working_dir;
  }
  if (!config.user.empty()) {
    body["User"] = config.user;
  }
  auto response = call_json("POST", "/containers/" + container + "/exec", body, wait);
  if (auto ok = expect_ok("creating an exec in " + container.substr(0, 12), response); !ok) {
    return ok.error();
  }
  return id_in(response->body);
}

Result<StreamEnd> EngineClient::start_exec(const std::string& exec_id, OutputSink& sink, const KeepGoing& keep_going) {
  HttpRequest request;
  request.method = "POST";
  request.path = path("/exec/" + exec_id + "/start");
  request.body = R"({"Detach":false,"Tty":false})";
  request.content_type = "application/json";
  auto stream = m_http.upgrade(request);
  if (!stream) {
    return stream.error();
  }
  return read_multiplexed(**stream, sink, keep_going);
}

Result<std::unique_ptr<RawStream>> EngineClient::attach_container(const std::string& id) {
  HttpRequest request;
  request.method = "POST";
  request.path = path("/containers/" + id + "/attach?stream=1&stdout=1&stderr=1");
  return m_http.upgrade(request);
}

Result<StreamEnd> EngineClient::read_multiplexed(RawStream& stream, OutputSink& sink, const KeepGoing& keep_going) {
  FrameDecoder decoder;
  std::string buffer;
  while (true) {
    buffer.clear();
    auto status = stream.read(buffer, k_exec_poll);
    if (!status) {
      return status.error();
    }
    if (*status == ReadStatus::eof) {
      return StreamEnd::finished;
    }
    decoder.feed(buffer, sink);
    if (keep_going && !keep_going()) {
      return StreamEnd::interrupted;
    }
  }
}

Result<void> EngineClient::remove_image(const std::string& image) {
  auto response = call("DELETE", "/images/" + url_encode(image) + "?force=1");
  if (response && response->status == 404) {
    return {};
  }
  return expect_ok("removing image " + image, response);
}

Result<void> EngineClient::build_image(const std::string& context_dir, const std::string& dockerfile, const std::string& tag,
                                       const Labels& labels, const std::function<void(const std::string&)>& on_output) {
  auto context = tar_directory(context_dir, "");
  if (!context) {
    return context.error();
  }
  HttpRequest request;
  request.method = "POST";
  request.path = path("/build?rm=1&forcerm=1&t=" + url_encode(tag) + "&dockerfile=" + url_encode(dockerfile) +
                      "&labels=" + url_encode(json_text(json(labels))));
  request.body = std::move(*context);
  request.content_type = "application/x-tar";
  request.timeout = std::chrono::milliseconds(0);
  std::string pending;
  std::string failure;
  auto status = m_http.stream(request, [&](std::string_view chunk) {
    pending.append(chunk);
    for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
      const json line = json::parse(pending.substr(0, end), nullptr, false);
      pending.erase(0, end + 1);
      if (member(line, "error").is_string()) {
        failure = member(line, "error").get<std::string>();
      } else if (member(line, "stream").is_string() && on_output) {
        on_output(member(line, "stream").get<std::string>());
      }
    }
    return true;
  });
  if (!status) {
    return status.error();
  }
  if (*status >= 300) {
    return api_error("building image " + tag + " from " + context_dir, HttpResponse{*status, pending});
  }
  if (!failure.empty()) {
    return Error{"building image " + tag + " from " + context_dir + ": " + failure};
  }
  return {};
}

Result<ExecInfo> EngineClient::inspect_exec(const std::string& exec_id) {
  auto response = call("GET", "/exec/" + exec_id + "/json");
  if (auto ok = expect_ok("inspecting exec " + exec_id.substr(0, 12), response); !ok) {
    return ok.error();
  }
  const json body = json::parse(response->body, nullptr, false);
  if (!body.is_object()) {
    return Error{"inspecting exec " + exec_id.substr(0, 12) + ": the engine's answer is not JSON"};
  }
  ExecInfo info;
  info.running = body.value("Running", false);
  info.exit_code = member(body, "ExitCode").is_number() ? member(body, "ExitCode").get<int>() : -1;
  info.pid = body.value("Pid", 0L);
  return info;
}

Result<void> EngineClient::put_archive(const std::string& container, const std::string& dir, const std::string& tar) {
  auto response = call("PUT", "/containers/" + container + "/archive?path=" + url_encode(dir), tar, "application/x-tar");
  return expect_ok("copying into " + container.substr(0, 12) + ":" + dir, response);
}

Result<std::string> EngineClient::get_archive(const std::string& container, const std::string& file) {
  auto response = call("GET", "/containers/" + container + "/archive?path=" + url_encode(file));
  if (auto ok = expect_ok("copying " + container.substr(0, 12) + ":" + file, response); !ok) {
    return ok.error();
  }
  return std::move(response->body);
}

Result<bool> EngineClient::path_exists(const std::string& container, const std::string& file) {
  auto response = call("HEAD", "/containers/" + container + "/archive?path=" + url_encode(file));
  if (!response) {
    return response.error();
  }
  return response->status == 200;
}

Result<std::string> EngineClient::create_network(const std::string& name, const Labels& labels) {
  const json body{{"Name", name}, {"CheckDuplicate", true}, {"Labels", labels}};
  auto response = call_json("POST", "/networks/create", body);
  if (auto ok = expect_ok("creating network " + name, response); !ok) {
    return ok.error();
  }
  return id_in(response->body);
}

Result<void> EngineClient::connect_network(const std::string& network, const std::string& container,
                                           const std::vector<std::string>& aliases) {
  const json body{{"Container", container}, {"EndpointConfig", {{"Aliases", aliases}}}};
  return expect_ok("connecting " + container.substr(0, 12) + " to a network", call_json("POST", "/networks/" + network + "/connect", body));
}

Result<void> EngineClient::disconnect_network(const std::string& network, const std::string& container, Wait wait) {
  const json body{{"Container", container}, {"Force", true}};
  return expect_ok("disconnecting " + container.substr(0, 12),
                   call_json("POST", "/networks/" + network + "/disconnect", body, wait));
}

Result<void> EngineClient::remove_network(const std::string& network, Wait wait) {
  auto response = call("DELETE", "/networks/" + network, "", "", wait);
  if (response && response->status == 404) {
    return {};
  }
  return expect_ok("removing network " + network.substr(0, 12), response);
}

Result<std::vector<std::string>> EngineClient::network_containers(const std::string& network) {
  auto response = call("GET", "/networks/" + network);
  if (auto ok = expect_ok("inspecting network " + network.substr(0, 12), response); !ok) {
    return ok.error();
  }
  std::vector<std::string> ids;
  const json& containers = member(json::parse(response->body, nullptr, false), "Containers");
  if (containers.is_object()) {
    for (const auto& item : containers.items()) {
      ids.push_back(item.key());
    }
  }
  return ids;
}

Result<std::string> EngineClient::network_gateway(const std::string& network) {
  auto response = call("GET", "/networks/" + network);
  if (auto ok = expect_ok("inspecting network " + network, response); !ok) {
    return ok.error();
  }
  const json network_json = json::parse(response->body, nullptr, false);
  const json& configs = member(member(network_json, "IPAM"), "Config");
  for (const auto& config : configs.is_array() ? configs : json::array()) {
    const std::string gateway = config.value("Gateway", "");
    if (!gateway.empty() && gateway.find(':') == std::string::npos) {
      return gateway;
    }
    // Docker leaves Gateway out of the default bridge's IPAM: the bridge holds the subnet's first address.
    const std::string subnet = config.value("Subnet", "");
    unsigned a = 0, b = 0, c = 0, d = 0, bits = 0;
    if (std::sscanf(subnet.c_str(), "%u.%u.%u.%u/%u", &a, &b, &c, &d, &bits) == 5 && bits < 31) {
      return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(c) + "." + std::to_string(d + 1);
    }
  }
  return Error{"network " + network + " has no IPv4 gateway"};
}

Result<std::vector<LabelledObject>> EngineClient::list_networks(const std::string& label) {
  auto response = call("GET", "/networks?filters=" + label_filter(label));
  if (auto ok = expect_ok("listing networks", response); !ok) {
    return ok.error();
  }
  std::vector<LabelledObject> found;
  const json items = json::parse(response->body, nullptr, false);
  for (const json& item : items.is_array() ? items : json::array()) {
    found.push_back({item.value("Id", ""), item.value("Name", ""), labels_of(member(item, "Labels"))});
  }
  return found;
}

std::string registry_of(const std::string& image) {
  const auto slash = image.find('/');
  if (slash == std::string::npos) {
    return "docker.io";
  }
  const std::string first = image.substr(0, slash);
  const bool is_host = first.find_first_of(".:") != std::string::npos || first == "localhost";
  return is_host ? first : "docker.io";
}

}  // namespace pipeline::runner::docker
