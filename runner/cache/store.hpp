#pragma once
// The cache entries on disk: one folder per repository under the user's cache directory,
// entries that never change once committed, uploads staged beside them, LRU eviction.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/system/file_lock.hpp"
#include "runner/cache/entry.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::cache {

/// GitHub's limit on one repository's caches: 10 GB.
inline constexpr std::uint64_t k_default_size_limit = 10ULL * 1024 * 1024 * 1024;

/// `$XDG_CACHE_HOME/pipe/actions-cache`, else `~/.cache/pipe/actions-cache`.
[[nodiscard]] std::filesystem::path default_root(
    const std::function<std::optional<std::string>(std::string_view)>& getenv);

/// The name a repository's entries are kept under: its `owner/name`, or for a repository with no
/// GitHub remote, its work tree's path, so two such repositories never share entries.
[[nodiscard]] std::string repository_key(const std::string& repository, const std::string& workspace);

/// An upload in progress: it owns a staging folder and the lock that keeps other writers of the
/// same key, version and scope out until it is committed or dropped (which removes the folder).
class Reservation {
public:
  Reservation() = default;
  Reservation(CacheEntry entry, std::filesystem::path staging, FileLock lock);
  ~Reservation();
  Reservation(Reservation&& other) noexcept;
  Reservation& operator=(Reservation&& other) noexcept;
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;

  /// The entry this upload will become.
  [[nodiscard]] const CacheEntry& entry() const { return m_entry; }
  /// The file the upload writes the archive to.
  [[nodiscard]] std::filesystem::path archive() const { return m_staging / "archive"; }
  /// A folder for the blocks of a block-wise upload.
  [[nodiscard]] std::filesystem::path blocks() const { return m_staging / "blocks"; }
  /// The staging folder.
  [[nodiscard]] const std::filesystem::path& staging() const { return m_staging; }

private:
  friend class Store;
  void drop();

  CacheEntry m_entry;
  std::filesystem::path m_staging;
  FileLock m_lock;
};

/// The cache entries of every repository under one root folder.
class Store {
public:
  /// A store under `root` keeping at most `size_limit` bytes per repository.
  explicit Store(std::filesystem::path root, std::uint64_t size_limit = k_default_size_limit);

  /// The root folder.
  [[nodiscard]] const std::filesystem::path& root() const { return m_root; }

  /// The repositories that have a folder here, by their full name.
  [[nodiscard]] std::vector<std::string> repositories() const;

  /// The committed entries of `repository`, in no particular order.
  [[nodiscard]] std::vector<CacheEntry> entries(const std::string& repository) const;

  /// The entry a restore gets (see find_match), marked as used now; nullopt on a miss.
  [[nodiscard]] std::optional<CacheEntry> restore(const std::string& repository, const Lookup& lookup);

  /// The archive file of a committed entry.
  [[nodiscard]] std::filesystem::path archive(const std::string& repository, const std::string& id) const;

  /// Starts an upload; refused while the same key and version exist in that scope or another
  /// upload of them is in progress (in this or another pipe).
  [[nodiscard]] Result<Reservation> reserve(const std::string& repository, const std::string& scope,
                                            const std::string& key, const std::string& version);

  /// Publishes an upload in one rename, so a restore sees all of it or nothing; refused when the
  /// archive does not hold `size` bytes. Evicts least-recently-used entries over the limit.
  [[nodiscard]] Result<CacheEntry> commit(const std::string& repository, Reservation reservation,
                                          std::optional<std::uint64_t> size);

  /// Removes the entries of `repository` whose key is `key`; how many went.
  [[nodiscard]] std::size_t remove(const std::string& repository, const std::string& key);

  /// Removes uploads left by killed runs, and entries over the limit or unused for `max_idle`.
  /// How many entries and stale uploads went.
  [[nodiscard]] std::size_t prune(std::chrono::nanoseconds max_idle);

private:
  [[nodiscard]] std::filesystem::path repo_dir(const std::string& repository) const;
  void evict(const std::string& repository);

  std::filesystem::path m_root;
  std::uint64_t m_size_limit;
};

}  // namespace pipeline::runner::cache
