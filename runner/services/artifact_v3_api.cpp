#include "runner/services/artifact_v3_api.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <memory>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "runner/services/artifact_names.hpp"
#include "runner/services/file_response.hpp"

namespace pipeline::runner::services {

namespace {

constexpr const char* k_workflows = R"(/_apis/pipelines/workflows/[^/]+/artifacts)";
constexpr const char* k_containers = "/_apis/resources/Containers/";
constexpr std::int64_t k_day = 24 * 60 * 60;

// Azure DevOps' error shape; the client prints the status and its own message for it.
void fail(httplib::Response& response, int status, const std::string& message) {
  response.status = status;
  response.set_content(nlohmann::json{{"message", message}, {"typeKey", "ArtifactException"}}.dump(), "application/json");
}

void fail(httplib::Response& response, const Refused& refusal) {
  switch (refusal.code) {
    case Refusal::invalid_argument: fail(response, 400, refusal.message); return;
    case Refusal::not_found: fail(response, 404, refusal.message); return;
    case Refusal::already_exists: fail(response, 409, refusal.message); return;
    case Refusal::failed_precondition: fail(response, 400, refusal.message); return;
    case Refusal::internal: break;
  }
  fail(response, 500, refusal.message);
}

void reply(httplib::Response& response, const nlohmann::json& body, int status = 200) {
  response.status = status;
  response.set_content(body.dump(), "application/json");
}

std::string origin(const httplib::Request& request) { return "http://" + request.get_header_value("Host"); }

nlohmann::json describe(const httplib::Request& request, const std::string& run_id, const ArtifactInfo& info) {
  const std::string container = origin(request) + k_containers + run_id;
  return {{"containerId", info.id},
          {"size", info.finalized ? info.size : -1},
          {"signedContent", nullptr},
          {"fileContainerResourceUrl", container},
          {"type", "actions_storage"},
          {"name", info.name},
          {"url", origin(request) + "/_apis/pipelines/workflows/" + run_id + "/artifacts/" + std::to_string(info.id)}};
}

}  // namespace

ArtifactV3Api::ArtifactV3Api(std::string run_id, ArtifactV3Store& store) : m_run_id(std::move(run_id)), m_store(store) {}

void ArtifactV3Api::mount(Router& router) {
  using Member = void (ArtifactV3Api::*)(const httplib::Request&, httplib::Response&, const Caller&);
  const auto bind = [this](Member member) {
    return [this, member](const httplib::Request& request, httplib::Response& response, const Caller& caller) {
      (this->*member)(request, response, caller);
    };
  };
  router.add(Method::post, k_workflows, Access::bearer, bind(&ArtifactV3Api::create));
  router.add(Method::patch, k_workflows, Access::bearer, bind(&ArtifactV3Api::finalize));
  router.add(Method::get, k_workflows, Access::bearer, bind(&ArtifactV3Api::list));
  const std::string container = std::string(k_containers) + "([^/]+)";
  router.add_streaming(Method::put, container, Access::bearer,
                       [this](const httplib::Request& request, httplib::Response& response, const Caller& caller,
                              const httplib::ContentReader& reader) { upload(request, response, caller, reader); });
  router.add(Method::get, container, Access::bearer, bind(&ArtifactV3Api::get));
}

// The URL's run id is the client's GITHUB_RUN_ID: the token's run decides, and it must be this host's.
bool ArtifactV3Api::same_run(httplib::Response& response, const Caller& caller, const std::string& container) const {
  if (caller.run_id != m_run_id || (!container.empty() && container != caller.run_id)) {
    fail(response, 403,
         "the artifacts of run '" + (container.empty() ? caller.run_id : container) +
             "' are not visible to this job; pipe serves the artifacts of run '" + m_run_id + "' only");
    return false;
  }
  return true;
}

void ArtifactV3Api::create(const httplib::Request& request, httplib::Response& response, const Caller& caller) {
  if (!same_run(response, caller, "")) {
    return;
  }
  const auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("Name") || !body["Name"].is_string()) {
    fail(response, 400, "the body must be a JSON object with a string Name");
    return;
  }
  std::int64_t expires = 0;
  if (const auto days = body.find("RetentionDays"); days != body.end() && !days->is_null()) {
    if (!days->is_number_integer() || days->get<std::int64_t>() < 1) {
      fail(response, 400, "RetentionDays must be a whole number of days, at least 1");
      return;
    }
    expires = unix_now() + days->get<std::int64_t>() * k_day;
  }
  const auto created = m_store.create(body["Name"].get<std::string>(), caller.job_id, expires);
  if (const auto* refusal = std::get_if<Refused>(&created)) {
    fail(response, *refusal);
    return;
  }
  reply(response, describe(request, m_run_id, std::get<ArtifactInfo>(created)), 201);
}

void ArtifactV3Api::finalize(const httplib::Request& request, httplib::Response& response, const Caller& caller) {
  if (!same_run(response, caller, "")) {
    return;
  }
  const auto finalized = m_store.finalize(request.get_param_value("artifactName"));
  if (const auto* refusal = std::get_if<Refused>(&finalized)) {
    fail(response, *refusal);
    return;
  }
  reply(response, describe(request, m_run_id, std::get<ArtifactInfo>(finalized)));
}

void ArtifactV3Api::list(const httplib::Request& request, httplib::Response& response, const Caller& caller) {
  if (!same_run(response, caller, "")) {
    return;
  }
  nlohmann::json value = nlohmann::json::array();
  for (const auto& info : m_store.list()) {
    value.push_back(describe(request, m_run_id, info));
  }
  reply(response, {{"count", value.size()}, {"value", value}});
}

void ArtifactV3Api::upload(const httplib::Request& request, httplib::Response& response, const Caller& caller,
                           const httplib::ContentReader& reader) {
  // The client gzips some files whole and sends that stream in ranges: a range is no gzip stream
  // of its own, so the server must not decode it. httplib decodes a body by the request's
  // Content-Encoding when the body is read: take the header off the (non-const) request first.
  const bool gzip = request.get_header_value("Content-Encoding") == "gzip";
  const_cast<httplib::Request&>(request).headers.erase("Content-Encoding");
  bool read = false;
  const ByteSource body = [&](const ByteSink& sink) {
    read = true;
    return reader([&sink](const char* data, std::size_t size) { return sink(std::string_view(data, size)); });
  };
  const auto drain = [&] {
    if (!read) {
      (void)body([](std::string_view) { return true; });
    }
  };
  if (!same_run(response, caller, request.matches[1].str())) {
    drain();
    return;
  }
  const auto range = parse_content_range(request.get_header_value("Content-Range"));
  if (const auto* problem = std::get_if<std::string>(&range)) {
    fail(response, 400, *problem);
    drain();
    return;
  }
  V3Chunk chunk = std::get<V3Chunk>(range);
  chunk.gzip = gzip;
  if (gzip) {
    const std::string length = request.get_header_value("x-tfs-filelength");
    std::int64_t value = -1;
    const auto [end, error] = std::from_chars(length.data(), length.data() + length.size(), value);
    chunk.file_length = error == std::errc() && end == length.data() + length.size() ? value : -1;
  }
  const auto stored = m_store.put_chunk(caller.job_id, request.get_param_value("itemPath"), chunk, body);
  drain();
  if (const auto* refusal = std::get_if<Refused>(&stored)) {
    fail(response, *refusal);
    return;
  }
  reply(response, nlohmann::json::object(), 201);
}

void ArtifactV3Api::get(const httplib::Request& request, httplib::Response& response, const Caller& caller) {
  if (!same_run(response, caller, request.matches[1].str())) {
    return;
  }
  const std::string item_path = request.get_param_value("itemPath");
  if (item_path.find('/') == std::string::npos) {
    const auto items = m_store.items(item_path);
    if (const auto* refusal = std::get_if<Refused>(&items)) {
      fail(response, *refusal);
      return;
    }
    nlohmann::json value = nlohmann::json::array();
    const std::string container = origin(request) + k_containers + m_run_id;
    for (const auto& item : std::get<std::vector<V3Item>>(items)) {
      value.push_back({{"path", item.path},
                       {"itemType", "file"},
                       {"fileLength", item.length},
                       {"contentLocation", container + "?itemPath=" + httplib::detail::encode_query_param(item.path)}});
    }
    reply(response, {{"count", value.size()}, {"value", value}});
    return;
  }
  const auto path = m_store.file(item_path);
  if (const auto* refusal = std::get_if<Refused>(&path)) {
    fail(response, *refusal);
    return;
  }
  const int fd = ::open(std::get<std::string>(path).c_str(), O_RDONLY | O_CLOEXEC);
  const off_t size = fd < 0 ? -1 : ::lseek(fd, 0, SEEK_END);
  if (fd < 0 || size < 0) {
    if (fd >= 0) {
      ::close(fd);
    }
    fail(response, 404, "the file '" + item_path + "' is gone");
    return;
  }
  serve_file(response, fd, size, "application/octet-stream");
}

}  // namespace pipeline::runner::services
