#include "runner/services/artifact_service.hpp"

#include "runner/services/file_response.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>
#include <vector>

#include <httplib.h>

#include "runner/services/artifact_names.hpp"
#include "runner/services/artifact_v3_store.hpp"
#include "runner/services/twirp.hpp"
#include "workflow/base/text_encoding.hpp"

namespace pipeline::runner::services {

namespace {

constexpr const char* k_twirp = "/twirp/github.actions.results.api.v1.ArtifactService/";
constexpr const char* k_blob_prefix = "/artifacts-blob/";
// Long enough for the largest upload a job's timeout allows.
constexpr std::chrono::hours k_url_lifetime{6};
// Azure's limit is 50,000 ids of up to 64 characters, each in a <Latest> element.
constexpr std::size_t k_max_block_list = 50000U * 100U;

using TwirpMethod = void (ArtifactService::*)(const httplib::Request&, httplib::Response&, const Caller&);

TwirpCode twirp_code(Refusal refusal) {
  switch (refusal) {
    case Refusal::invalid_argument: return TwirpCode::invalid_argument;
    case Refusal::not_found: return TwirpCode::not_found;
    case Refusal::already_exists: return TwirpCode::already_exists;
    case Refusal::failed_precondition: return TwirpCode::failed_precondition;
    case Refusal::internal: break;
  }
  return TwirpCode::internal;
}

std::int64_t json_int(const nlohmann::json& body, const char* key, std::int64_t fallback) {
  const auto it = body.find(key);
  if (it == body.end()) {
    return fallback;
  }
  if (it->is_number_integer()) {
    return it->get<std::int64_t>();
  }
  if (it->is_string()) {
    try {
      return std::stoll(it->get<std::string>());
    } catch (const std::exception&) {
      return -1;
    }
  }
  return -1;
}

// -1 when the body's length is not declared (chunked) or not a number.
std::int64_t content_length(const httplib::Request& request) {
  const std::string text = request.get_header_value("Content-Length");
  std::int64_t length = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), length);
  return error == std::errc() && end == text.data() + text.size() && length >= 0 ? length : -1;
}

std::string blob_path(const std::string& run_id, std::int64_t id) {
  return k_blob_prefix + run_id + "/" + std::to_string(id);
}

// Azure's error shape: its storage client reads the code from the XML body.
void storage_error(httplib::Response& response, int status, const std::string& code, const std::string& message) {
  response.status = status;
  response.set_header("x-ms-error-code", code);
  response.set_content("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>" + code + "</Code><Message>" +
                           message + "</Message></Error>",
                       "application/xml");
}

// A folder artifact of the v3 API: GitHub's v4 API does not see those.
bool v3(const ArtifactInfo& info) { return info.mime_type == k_folder_mime; }

nlohmann::json listing(const std::string& run_id, const ArtifactInfo& info) {
  return {{"workflow_run_backend_id", run_id},
          {"workflow_job_run_backend_id", info.job},
          {"database_id", std::to_string(info.id)},
          {"name", info.name},
          {"size", std::to_string(info.size)},
          {"created_at", format_timestamp(info.created_at)},
          {"digest", info.digest}};
}

}  // namespace

std::vector<std::string> parse_block_list(std::string_view xml) {
  std::vector<std::string> ids;
  std::size_t at = 0;
  while ((at = xml.find('<', at)) != std::string_view::npos) {
    const auto close = xml.find('>', at);
    if (close == std::string_view::npos) {
      break;
    }
    const std::string_view tag = xml.substr(at + 1, close - at - 1);
    at = close + 1;
    if (tag != "Latest" && tag != "Uncommitted" && tag != "Committed") {
      continue;
    }
    const auto end = xml.find("</", at);
    if (end == std::string_view::npos) {
      break;
    }
    ids.emplace_back(xml.substr(at, end - at));
    at = end;
  }
  return ids;
}

ArtifactService::ArtifactService(const ServiceHost& host, std::string run_id, ArtifactStore& store)
    : m_host(host), m_run_id(std::move(run_id)), m_store(store) {}

void ArtifactService::mount(Router& router) {
  const std::pair<const char*, TwirpMethod> methods[] = {
      {"CreateArtifact", &ArtifactService::create},   {"FinalizeArtifact", &ArtifactService::finalize},
      {"ListArtifacts", &ArtifactService::list},      {"GetSignedArtifactURL", &ArtifactService::signed_url},
      {"DeleteArtifact", &ArtifactService::remove}};
  for (const auto& [name, method] : methods) {
    router.add(Method::post, std::string(k_twirp) + name, Access::bearer,
               [this, method = method](const httplib::Request& request, httplib::Response& response,
                                       const Caller& caller) { (this->*method)(request, response, caller); });
  }
  const std::string blob = std::string(k_blob_prefix) + R"([^/]+/\d+)";
  router.add_streaming(Method::put, blob, Access::signed_write,
                       [this](const httplib::Request& request, httplib::Response& response, const Caller& caller,
                              const httplib::ContentReader& reader) { upload(request, response, caller, reader); });
  router.add(Method::get, blob, Access::signed_read,
             [this](const httplib::Request& request, httplib::Response& response, const Caller& caller) {
               download(request, response, caller);
             });
}

bool ArtifactService::same_run(httplib::Response& response, const Caller& caller, const nlohmann::json& body) const {
  const std::string asked = json_string(body, "workflow_run_backend_id");
  if (caller.run_id != m_run_id || (!asked.empty() && asked != caller.run_id)) {
    twirp_error(response, TwirpCode::permission_denied,
                "the artifacts of run '" + (asked.empty() ? caller.run_id : asked) +
                    "' are not visible to this job; pipe serves the artifacts of run '" + m_run_id + "' only");
    return false;
  }
  return true;
}

void ArtifactService::create(const httplib::Request& request, httplib::Response& response, const Caller& caller) {
  const auto body = twirp_body(request, response);
  if (!body || !same_run(response, caller, *body)) {
    return;
  }
  std::int64_t expires = 0;
  if (const std::string text = json_string(*body, "expires_at"); !text.empty()) {
    const auto parsed = parse_timestamp(text);
    if (!parsed) {
      twirp_error(response, TwirpCode::invalid_argument, "expires_at '" + text + "' is not an RFC 3339 timestamp");
      return;
    }
    expires = *parsed;
  }
  auto created = m_store.create(json_string(*body, "name"), caller.job_id, json_string(*body, "mime_type"), expires);
  if (const auto* refusal = std::get_if<Refused>(&created)) {
    twirp_error(response, twirp_code(refusal->code), refusal->message);
    return;
  }
  const auto& info = std::get<ArtifactInfo>(created);
  const std::string url =
      m_host.signed_url(request, blob_path(m_run_id, info.id), caller, Permission::write, k_url_lifetime);
  twirp_reply(response, {{"ok", true}, {"signed_upload_url", url}});
}

void ArtifactService::finalize(const httplib::Request& request, httplib::Response& response, const Caller& caller) {
  const auto body = twirp_body(request, response);
  if (!body || !same_run(response, caller, *body)) {
    return;
  }
  const std::int64_t size = json_int(*body, "size", 0);
  if (size < 0) {
    twirp_error(response, TwirpCode::invalid_argument, "size is not a number of bytes");
    return;
  }
  auto finalized = m_store.finalize(json_string(*body, "name"), size, json_string(*body, "hash"));
  if (const auto* refusal = std::get_if<Refused>(&finalized)) {
    twirp_error(response, twirp_code(refusal->code), refusal->message);
    return;
  }
  twirp_reply(response, {{"ok", true}, {"artifact_id", std::to_string(std::get<ArtifactInfo>(finalized).id)}});
}

void ArtifactService::list(const httplib::Request& request, httplib::Response& response, const Caller& caller) {
  const auto body = twirp_body(request, response);
  if (!body || !same_run(response, caller, *body)) {
    return;
  }
  const std::string name = json_string(*body, "name_filter");
  const std::int64_t id = json_int(*body, "id_filter", 0);
  nlohmann::json artifacts = nlohmann::json::array();
  for (const auto& info : m_store.list()) {
    if ((name.empty() || info.name == name) && (id == 0 || info.id == id) && !v3(info)) {
      artifacts.push_back(listing(m_run_id, info));
    }
  }
  twirp_reply(response, {{"artifacts", artifacts}});
}

void ArtifactService::signed_url(const httplib::Request& request, httplib::Response& response, const Caller& caller) {
  const auto body = twirp_body(request, response);
  if (!body || !same_run(response, caller, *body)) {
    return;
  }
  const std::string name = json_string(*body, "name");
  const auto info = m_store.find(name);
  if (!info || v3(*info)) {
    twirp_error(response, TwirpCode::not_found, "no artifact named '" + name + "' in this run");
    return;
  }
  twirp_reply(response, {{"signed_url", m_host.signed_url(request, blob_path(m_run_id, info->id), caller,
                                                          Permission::read, k_url_lifetime)}});
}

void ArtifactService::remove(const httplib::Request& request, httplib::Response& response, const Caller& caller) {
  const auto body = twirp_body(request, response);
  if (!body || !same_run(response, caller, *body)) {
    return;
  }
  auto removed = m_store.remove(json_string(*body, "name"));
  if (const auto* refusal = std::get_if<Refused>(&removed)) {
    twirp_error(response, twirp_code(refusal->code), refusal->message);
    return;
  }
  twirp_reply(response, {{"ok", true}, {"artifact_id", std::to_string(std::get<ArtifactInfo>(removed).id)}});
}

void ArtifactService::upload(const httplib::Request& request, httplib::Response& response, const Caller& caller,
                             const httplib::ContentReader& reader) {
  // The body is read once, as it arrives; whatever a refusal leaves unread is drained after it.
  bool read = false;
  const ByteSource body = [&](const ByteSink& sink) {
    read = true;
    return reader([&sink](const char* data, std::size_t size) { return sink(std::string_view(data, size)); });
  };
  store_upload(request, response, caller, body);
  if (!read) {
    (void)body([](std::string_view) { return true; });
  }
}

void ArtifactService::store_upload(const httplib::Request& request, httplib::Response& response, const Caller& caller,
                                   const ByteSource& body) {
  if (caller.run_id != m_run_id) {
    storage_error(response, 403, "AuthorizationFailure", "this URL belongs to another run");
    return;
  }
  const std::int64_t id = std::stoll(request.path.substr(request.path.rfind('/') + 1));
  const std::string comp = request.get_param_value("comp");
  Stored<std::monostate> stored = std::monostate{};
  if (comp == "block") {
    stored = m_store.put_block(id, request.get_param_value("blockid"), content_length(request), body);
  } else if (comp == "blocklist") {
    std::string xml;
    (void)body([&xml](std::string_view piece) {
      xml.append(piece);
      return xml.size() <= k_max_block_list;
    });
    stored = xml.size() <= k_max_block_list ? m_store.commit_blocks(id, parse_block_list(xml))
                                            : Stored<std::monostate>(Refused{Refusal::invalid_argument, "the block list is too long"});
  } else if (comp.empty()) {
    stored = m_store.put_content(id, body);
  } else {
    storage_error(response, 400, "InvalidQueryParameterValue", "comp=" + comp + " is not supported");
    return;
  }
  if (const auto* refusal = std::get_if<Refused>(&stored)) {
    const bool missing = refusal->code == Refusal::not_found;
    storage_error(response, missing ? 404 : refusal->code == Refusal::internal ? 500 : 400,
                  missing ? "BlobNotFound" : "InvalidInput", refusal->message);
    return;
  }
  response.status = 201;
  response.set_header("ETag", "\"0x" + std::to_string(id) + "\"");
  response.set_header("Last-Modified", "Thu, 01 Jan 1970 00:00:00 GMT");
  response.set_header("x-ms-request-server-encrypted", "false");
}

void ArtifactService::download(const httplib::Request& request, httplib::Response& response, const Caller& caller) {
  const std::int64_t id = std::stoll(request.path.substr(request.path.rfind('/') + 1));
  const auto info = caller.run_id == m_run_id ? m_store.find(id) : std::nullopt;
  if (!info || v3(*info)) {
    storage_error(response, 404, "BlobNotFound", "no such artifact in this run");
    return;
  }
  const int fd = ::open(m_store.content_path(*info).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    storage_error(response, 404, "BlobNotFound", "the artifact's content is gone");
    return;
  }
  const bool zip = info->mime_type == "application/zip";
  const std::string file = zip ? info->name + ".zip" : info->name;
  response.set_header("Content-Disposition", "attachment; filename=\"" + uri_escape(file) +
                                                 "\"; filename*=UTF-8''" + uri_escape(file));
  response.set_header("x-ms-blob-type", "BlockBlob");
  serve_file(response, fd, info->size, info->mime_type);
}

}  // namespace pipeline::runner::services
