// The v1 cache API (`_apis/artifactcache`), which @actions/cache before 4.0 and later ones
// without ACTIONS_CACHE_SERVICE_V2 call: JSON over GET/POST, chunks by PATCH with Content-Range.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "runner/cache/cache_api.hpp"
#include "runner/cache/upload.hpp"
#include "runner/services/artifact_names.hpp"

namespace pipeline::runner::cache {
namespace {

using nlohmann::json;
using services::Access;
using services::Caller;
using services::Method;

constexpr const char* k_base = "/_apis/artifactcache/";

void reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

// The service's error shape; @actions/http-client shows `message`.
void fail(httplib::Response& res, int status, const std::string& type_key, const std::string& message) {
  reply(res, status, {{"message", message}, {"typeKey", type_key}});
}

// The v1 API's `creationTime`: RFC 3339 in UTC, whole seconds.
std::string iso_time(std::int64_t ns) {
  return services::format_timestamp(ns / 1'000'000'000);
}

std::vector<std::string> split_keys(const std::string& joined) {
  std::vector<std::string> keys;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = joined.find(',', start);
    keys.push_back(joined.substr(start, comma - start));
    if (comma == std::string::npos) {
      return keys;
    }
    start = comma + 1;
  }
}

void get_cache(const httplib::Request& req, httplib::Response& res, const Caller& caller, CacheRoutes& cache) {
  const std::string version = req.get_param_value("version");
  const auto keys = split_keys(req.get_param_value("keys"));
  if (version.empty() || keys.front().empty()) {
    fail(res, 400, "ArgumentException", "keys and version are required");
    return;
  }
  auto entry = cache.restore(keys, version);
  if (!entry) {
    res.status = 204;
    return;
  }
  const std::string url = cache.host().signed_url(req, download_path(entry->id), caller,
                                                  services::Permission::read, k_url_lifetime);
  reply(res, 200,
        {{"cacheKey", entry->key},
         {"scope", entry->scope},
         {"cacheVersion", entry->version},
         {"creationTime", iso_time(entry->created_ns)},
         {"archiveLocation", url}});
}

void list_caches(const httplib::Request& req, httplib::Response& res, const Caller&, CacheRoutes& cache) {
  const std::string key = req.get_param_value("key");
  json list = json::array();
  for (const CacheEntry& entry : cache.store().entries(cache.scope().repository)) {
    if (entry.key == key) {
      list.push_back({{"cacheKey", entry.key},
                      {"cacheVersion", entry.version},
                      {"scope", entry.scope},
                      {"creationTime", iso_time(entry.created_ns)}});
    }
  }
  reply(res, 200, {{"totalCount", list.size()}, {"artifactCaches", list}});
}

void reserve(const httplib::Request& req, httplib::Response& res, const Caller&, CacheRoutes& cache) {
  const json body = json::parse(req.body, nullptr, false);
  if (!body.is_object() || !body.contains("key") || !body.contains("version")) {
    fail(res, 400, "ArgumentException", "key and version are required");
    return;
  }
  const std::string key = body.value("key", "");
  const std::string version = body.value("version", "");
  if (body.value("cacheSize", std::uint64_t{0}) > k_default_size_limit) {
    fail(res, 400, "ArgumentException", "Cache size is over the 10GB limit, not saving cache.");
    return;
  }
  auto id = cache.reserve(key, version);
  if (!id) {
    fail(res, 409, "ArtifactCacheEntryAlreadyExistsException",
         "Cache already exists. Scope: " + cache.scope().ref + ", Key: " + key + ", Version: " + version + " (" +
             id.error().message + ")");
    return;
  }
  reply(res, 201, {{"cacheId", *id}});
}

void upload_chunk(const httplib::Request& req, httplib::Response& res, const Caller&, CacheRoutes& cache,
                  const BodySource& body) {
  auto upload = cache.uploads().get(std::stoll(req.matches[1].str()));
  if (!upload) {
    fail(res, 404, "ArtifactCacheNotFoundException", "no upload in progress with this id");
    return;
  }
  const auto start = content_range_start(req.get_header_value("Content-Range"));
  if (!start) {
    fail(res, 400, "ArgumentException", "Content-Range must read `bytes START-END/*`");
    return;
  }
  if (auto written = write_range(upload->reservation, *start, body); !written) {
    fail(res, 500, "IOException", written.error().message);
    return;
  }
  res.status = 204;
}

void commit(const httplib::Request& req, httplib::Response& res, const Caller&, CacheRoutes& cache) {
  const json body = json::parse(req.body, nullptr, false);
  std::optional<std::uint64_t> size;
  if (body.is_object() && body.contains("size") && body["size"].is_number_unsigned()) {
    size = body["size"].get<std::uint64_t>();
  }
  auto entry = cache.commit(std::stoll(req.matches[1].str()), size);
  if (!entry) {
    fail(res, 400, "ArgumentException", entry.error().message);
    return;
  }
  res.status = 204;
}

}  // namespace

void mount_rest_api(services::Router& router, CacheRoutes& cache) {
  const std::string base = k_base;
  add_cache_route(router, Method::get, base + "cache", Access::bearer, cache, get_cache);
  add_cache_route(router, Method::get, base + "caches", Access::bearer, cache, list_caches);
  add_cache_route(router, Method::post, base + "caches", Access::bearer, cache, reserve);
  add_cache_streaming_route(router, Method::patch, base + R"(caches/(\d+))", Access::bearer, cache, upload_chunk);
  add_cache_route(router, Method::post, base + R"(caches/(\d+))", Access::bearer, cache, commit);
}

}  // namespace pipeline::runner::cache
