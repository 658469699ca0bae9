// EngineClient: images (exist, pull with registry credentials, build, remove) and volumes.
#include "runner/docker/engine_client.hpp"

#include <functional>
#include <string_view>

#include "runner/docker/engine_json.hpp"
#include "runner/docker/tar_stream.hpp"
#include "workflow/base/text_encoding.hpp"

namespace pipeline::runner::docker {

using namespace engine_json;

namespace {

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


// A streamed answer of JSON lines (pull and build progress), each parsed line handed to
// `on_line`; an unfinished line waits in `pending` (an error answer's text ends up there too).
ChunkHandler json_lines(std::string& pending, std::function<void(const json&)> on_line) {
  return [&pending, on_line = std::move(on_line)](std::string_view chunk) {
    pending.append(chunk);
    for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
      const json line = json::parse(pending.substr(0, end), nullptr, false);
      pending.erase(0, end + 1);
      on_line(line);
    }
    return true;
  };
}
}  // namespace

Result<bool> EngineClient::image_exists(const std::string& image) {
  auto id = image_id(image);
  if (!id) {
    return id.error();
  }
  return !id->empty();
}

Result<std::string> EngineClient::image_id(const std::string& image) {
  auto response = call("GET", "/images/" + uri_escape(image) + "/json");
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
  auto response = call("DELETE", "/volumes/" + uri_escape(name));
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
  request.path = path("/images/create?fromImage=" + uri_escape(name) + (tag.empty() ? "" : "&tag=" + uri_escape(tag)));
  request.timeout = std::chrono::milliseconds(0);
  if (auth) {
    const json credentials{{"username", auth->username}, {"password", auth->password}, {"serveraddress", registry_of(image)}};
    request.headers.push_back("X-Registry-Auth: " + base64url_encode(json_text(credentials), Base64Padding::with));
  }
  std::string pending;
  std::string failure;
  auto status = m_http.stream(request, json_lines(pending, [&](const json& line) {
    if (line.is_object() && line.contains("error")) {
      failure = line["error"].is_string() ? line["error"].get<std::string>() : json_text(line["error"]);
    } else if (line.is_object() && on_progress && !line.contains("progress")) {
      // Byte counts come many times a second per layer; the layer's steps are progress enough.
      on_progress(line.value("status", "") + (line.contains("id") ? " " + line.value("id", "") : ""));
    }
  }));
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

Result<void> EngineClient::remove_image(const std::string& image) {
  auto response = call("DELETE", "/images/" + uri_escape(image) + "?force=1");
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
  request.path = path("/build?rm=1&forcerm=1&t=" + uri_escape(tag) + "&dockerfile=" + uri_escape(dockerfile) +
                      "&labels=" + uri_escape(json_text(json(labels))));
  request.body = std::move(*context);
  request.content_type = "application/x-tar";
  request.timeout = std::chrono::milliseconds(0);
  std::string pending;
  std::string failure;
  auto status = m_http.stream(request, json_lines(pending, [&](const json& line) {
    if (member(line, "error").is_string()) {
      failure = member(line, "error").get<std::string>();
    } else if (member(line, "stream").is_string() && on_output) {
      on_output(member(line, "stream").get<std::string>());
    }
  }));
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
