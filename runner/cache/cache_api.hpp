#pragma once
// The cache service pipe hosts for a run's jobs: the v2 twirp API (CacheService), the v1 REST
// API (`_apis/artifactcache`), and the blob endpoints their signed URLs point to.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runner/cache/store.hpp"
#include "runner/cache/upload.hpp"
#include "runner/services/service_host.hpp"

namespace pipeline::runner::cache {

/// Where a run's caches belong: its repository, and the refs GitHub scopes its jobs to.
struct RunScope {
  std::string repository;      // `owner/name`
  std::string ref;             // the run's ref: entries are saved under it
  std::string base_ref;        // a pull request's base branch, else ""
  std::string default_branch;  // the repository's default branch
};

/// Uploads in progress, by the id the client got (v1 `cacheId`); shared by the server threads.
class PendingUploads {
public:
  /// Keeps `upload` and returns its id.
  [[nodiscard]] std::int64_t add(std::shared_ptr<PendingUpload> upload);
  /// The upload with this id, or nullptr.
  [[nodiscard]] std::shared_ptr<PendingUpload> get(std::int64_t id) const;
  /// The id of the upload of `key` and `version`, if one is in progress.
  [[nodiscard]] std::optional<std::int64_t> find(const std::string& key, const std::string& version) const;
  /// Removes and returns the upload with this id, or nullptr.
  [[nodiscard]] std::shared_ptr<PendingUpload> take(std::int64_t id);

private:
  mutable std::mutex m_mutex;
  std::int64_t m_next = 1;
  std::map<std::int64_t, std::shared_ptr<PendingUpload>> m_uploads;
};

/// The cache service of one run, mounted on the run's service host.
class CacheRoutes : public services::Routes {
public:
  /// Serves `store` to the jobs of a run in `scope`; `host` signs the blob URLs.
  CacheRoutes(Store& store, RunScope scope, const services::ServiceHost& host);

  void mount(services::Router& router) override;

  /// ACTIONS_CACHE_URL (v1) and ACTIONS_CACHE_SERVICE_V2 (v2 through ACTIONS_RESULTS_URL).
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> job_env(const std::string& base_url) const override;

  /// The entry a restore of `keys` (primary first) and `version` gets, marked as used.
  [[nodiscard]] std::optional<CacheEntry> restore(const std::vector<std::string>& keys, const std::string& version);
  /// Starts an upload in the run's ref; its id, or why it was refused.
  [[nodiscard]] Result<std::int64_t> reserve(const std::string& key, const std::string& version);
  /// Publishes the upload with `id`; `size` is checked when given.
  [[nodiscard]] Result<CacheEntry> commit(std::int64_t id, std::optional<std::uint64_t> size);

  /// The run's scope.
  [[nodiscard]] const RunScope& scope() const { return m_scope; }
  /// The store.
  [[nodiscard]] Store& store() { return m_store; }
  /// The uploads in progress.
  [[nodiscard]] PendingUploads& uploads() { return m_uploads; }
  /// The host, for signed URLs.
  [[nodiscard]] const services::ServiceHost& host() const { return m_host; }

private:
  Store& m_store;
  RunScope m_scope;
  const services::ServiceHost& m_host;
  PendingUploads m_uploads;
  std::mutex m_store_mutex;
};

/// How long the blob URLs both APIs hand out stay valid.
inline constexpr std::chrono::hours k_url_lifetime{6};

/// Path of the blob endpoint that receives upload `id` (signed for writing).
[[nodiscard]] std::string upload_path(std::int64_t id);
/// Path of the blob endpoint that serves entry `entry_id` (signed for reading).
[[nodiscard]] std::string download_path(const std::string& entry_id);

/// Answers one request to the cache service of a run.
using CacheHandler = void (*)(const httplib::Request&, httplib::Response&, const services::Caller&, CacheRoutes&);

/// Adds an endpoint whose handler is given `cache` along with the request.
void add_cache_route(services::Router& router, services::Method method, std::string pattern,
                     services::Access access, CacheRoutes& cache, CacheHandler handler);

/// Answers one request to the cache service of a run, reading its body from `body` as it arrives.
using CacheStreamingHandler = void (*)(const httplib::Request&, httplib::Response&, const services::Caller&,
                                       CacheRoutes&, const BodySource& body);

/// Adds a put, post or patch endpoint whose handler streams the request body; what it leaves
/// unread is drained after it.
void add_cache_streaming_route(services::Router& router, services::Method method, std::string pattern,
                               services::Access access, CacheRoutes& cache, CacheStreamingHandler handler);

/// Adds the Azure Blob endpoints (Put Blob, Put Block, Put Block List, GET with ranges).
void mount_blob_api(services::Router& router, CacheRoutes& cache);
/// Adds the v2 twirp endpoints.
void mount_twirp_api(services::Router& router, CacheRoutes& cache);
/// Adds the v1 REST endpoints.
void mount_rest_api(services::Router& router, CacheRoutes& cache);

}  // namespace pipeline::runner::cache
