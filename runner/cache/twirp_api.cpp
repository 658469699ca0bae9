// The v2 cache API: twirp JSON over POST, as @actions/cache's CacheServiceClientJSON calls it.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "runner/cache/cache_api.hpp"

namespace pipeline::runner::cache {
namespace {

using nlohmann::json;
using services::Access;
using services::Caller;
using services::Method;

constexpr const char* k_prefix = "/twirp/github.actions.results.api.v1.CacheService/";

// Twirp's error body; the client shows `msg` after the status line.
void twirp_error(httplib::Response& res, int status, const char* code, const std::string& message) {
  res.status = status;
  res.set_content(json{{"code", code}, {"msg", message}}.dump(), "application/json");
}

void reply(httplib::Response& res, const json& body) { res.set_content(body.dump(), "application/json"); }

std::optional<json> parse_body(const httplib::Request& req, httplib::Response& res) {
  json body = json::parse(req.body, nullptr, false);
  if (!body.is_object()) {
    twirp_error(res, 400, "malformed", "the request body is not a JSON object");
    return std::nullopt;
  }
  return body;
}

// protobuf's JSON mapping accepts a field by its JSON name or its proto name.
json field(const json& body, const char* json_name, const char* proto_name) {
  if (body.contains(json_name)) {
    return body[json_name];
  }
  return body.contains(proto_name) ? body[proto_name] : json();
}

void create_entry(const httplib::Request& req, httplib::Response& res, const Caller& caller, CacheRoutes& cache) {
  auto body = parse_body(req, res);
  if (!body) {
    return;
  }
  const std::string key = body->value("key", "");
  const std::string version = body->value("version", "");
  if (key.empty() || version.empty()) {
    twirp_error(res, 400, "invalid_argument", "key and version are required");
    return;
  }
  auto id = cache.reserve(key, version);
  if (!id) {
    twirp_error(res, 409, "already_exists", id.error().message);
    return;
  }
  const std::string url = cache.host().signed_url(req, upload_path(*id), caller, services::Permission::write,
                                                  k_url_lifetime);
  reply(res, {{"ok", true}, {"signed_upload_url", url}});
}

void finalize_upload(const httplib::Request& req, httplib::Response& res, const Caller&, CacheRoutes& cache) {
  auto body = parse_body(req, res);
  if (!body) {
    return;
  }
  const std::string key = body->value("key", "");
  const std::string version = body->value("version", "");
  const auto id = cache.uploads().find(key, version);
  if (!id) {
    twirp_error(res, 404, "not_found", "no cache entry upload in progress for key " + key);
    return;
  }
  std::optional<std::uint64_t> size;
  const json size_field = field(*body, "sizeBytes", "size_bytes");
  if (size_field.is_string()) {
    size = std::stoull(size_field.get<std::string>());
  } else if (size_field.is_number_unsigned()) {
    size = size_field.get<std::uint64_t>();
  }
  auto entry = cache.commit(*id, size);
  if (!entry) {
    reply(res, {{"ok", false}, {"entry_id", "0"}, {"message", entry.error().message}});
    return;
  }
  reply(res, {{"ok", true}, {"entry_id", std::to_string(*id)}});
}

void download_url(const httplib::Request& req, httplib::Response& res, const Caller& caller, CacheRoutes& cache) {
  auto body = parse_body(req, res);
  if (!body) {
    return;
  }
  std::vector<std::string> keys{body->value("key", "")};
  const json restore_keys = field(*body, "restoreKeys", "restore_keys");
  if (restore_keys.is_array()) {
    for (const json& key : restore_keys) {
      keys.push_back(key.is_string() ? key.get<std::string>() : "");
    }
  }
  auto entry = cache.restore(keys, body->value("version", ""));
  if (!entry) {
    reply(res, {{"ok", false}, {"signed_download_url", ""}, {"matched_key", ""}});
    return;
  }
  const std::string url = cache.host().signed_url(req, download_path(entry->id), caller,
                                                  services::Permission::read, k_url_lifetime);
  reply(res, {{"ok", true}, {"signed_download_url", url}, {"matched_key", entry->key}});
}

}  // namespace

void mount_twirp_api(services::Router& router, CacheRoutes& cache) {
  const std::string prefix = k_prefix;
  add_cache_route(router, Method::post, prefix + "CreateCacheEntry", Access::bearer, cache, create_entry);
  add_cache_route(router, Method::post, prefix + "FinalizeCacheEntryUpload", Access::bearer, cache, finalize_upload);
  add_cache_route(router, Method::post, prefix + "GetCacheEntryDownloadURL", Access::bearer, cache, download_url);
}

}  // namespace pipeline::runner::cache
