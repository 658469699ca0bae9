#include "runner/cache/cache_api.hpp"

#include <httplib.h>

namespace pipeline::runner::cache {

std::int64_t PendingUploads::add(std::shared_ptr<PendingUpload> upload) {
  std::lock_guard lock(m_mutex);
  const std::int64_t id = m_next++;
  m_uploads.emplace(id, std::move(upload));
  return id;
}

std::shared_ptr<PendingUpload> PendingUploads::get(std::int64_t id) const {
  std::lock_guard lock(m_mutex);
  auto it = m_uploads.find(id);
  return it == m_uploads.end() ? nullptr : it->second;
}

std::optional<std::int64_t> PendingUploads::find(const std::string& key, const std::string& version) const {
  std::lock_guard lock(m_mutex);
  for (const auto& [id, upload] : m_uploads) {
    if (upload->reservation.entry().key == key && upload->reservation.entry().version == version) {
      return id;
    }
  }
  return std::nullopt;
}

std::shared_ptr<PendingUpload> PendingUploads::take(std::int64_t id) {
  std::lock_guard lock(m_mutex);
  auto it = m_uploads.find(id);
  if (it == m_uploads.end()) {
    return nullptr;
  }
  auto upload = std::move(it->second);
  m_uploads.erase(it);
  return upload;
}

CacheRoutes::CacheRoutes(Store& store, RunScope scope, const services::ServiceHost& host)
    : m_store(store), m_scope(std::move(scope)), m_host(host) {}

void add_cache_route(services::Router& router, services::Method method, std::string pattern,
                     services::Access access, CacheRoutes& cache, CacheHandler handler) {
  router.add(method, std::move(pattern), access,
             [&cache, handler](const httplib::Request& req, httplib::Response& res, const services::Caller& caller) {
               handler(req, res, caller, cache);
             });
}

void add_cache_streaming_route(services::Router& router, services::Method method, std::string pattern,
                               services::Access access, CacheRoutes& cache, CacheStreamingHandler handler) {
  router.add_streaming(method, std::move(pattern), access,
                       [&cache, handler](const httplib::Request& req, httplib::Response& res,
                                         const services::Caller& caller, const httplib::ContentReader& reader) {
                         bool read = false;
                         const BodySource body = [&](const BodySink& sink) {
                           read = true;
                           bool accepted = true;
                           // Reads on after a refusal: unread bytes would be parsed as the next request.
                           const bool whole = reader([&](const char* data, std::size_t size) {
                             accepted = accepted && sink(std::string_view(data, size));
                             return true;
                           });
                           return whole && accepted;
                         };
                         handler(req, res, caller, cache, body);
                         if (!read) {
                           (void)body([](std::string_view) { return true; });
                         }
                       });
}

void CacheRoutes::mount(services::Router& router) {
  mount_twirp_api(router, *this);
  mount_rest_api(router, *this);
  mount_blob_api(router, *this);
}

std::vector<std::pair<std::string, std::string>> CacheRoutes::job_env(const std::string& base_url) const {
  return {{"ACTIONS_CACHE_URL", base_url}, {"ACTIONS_CACHE_SERVICE_V2", "True"}};
}

std::optional<CacheEntry> CacheRoutes::restore(const std::vector<std::string>& keys, const std::string& version) {
  const Lookup lookup{keys, version, readable_scopes(m_scope.ref, m_scope.base_ref, m_scope.default_branch)};
  std::lock_guard lock(m_store_mutex);
  return m_store.restore(m_scope.repository, lookup);
}

Result<std::int64_t> CacheRoutes::reserve(const std::string& key, const std::string& version) {
  std::lock_guard lock(m_store_mutex);
  auto upload = m_store.reserve(m_scope.repository, m_scope.ref, key, version);
  if (!upload) {
    return upload.error();
  }
  auto pending = std::make_shared<PendingUpload>();
  pending->reservation = std::move(*upload);
  return m_uploads.add(std::move(pending));
}

Result<CacheEntry> CacheRoutes::commit(std::int64_t id, std::optional<std::uint64_t> size) {
  auto upload = m_uploads.take(id);
  if (!upload) {
    return Error{"no upload in progress with this id"};
  }
  std::lock_guard lock(m_store_mutex);
  return m_store.commit(m_scope.repository, std::move(upload->reservation), size);
}

std::string upload_path(std::int64_t id) { return "/_cache/uploads/" + std::to_string(id); }

std::string download_path(const std::string& entry_id) { return "/_cache/entries/" + entry_id; }

}  // namespace pipeline::runner::cache
