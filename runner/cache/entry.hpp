#pragma once
// One committed cache entry and the rules that pick an entry for a restore.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pipeline::runner::cache {

/// A committed entry: what identifies it, where it may be read from, and its bookkeeping.
struct CacheEntry {
  std::string id;       // the entry's directory name: a hash of scope, key and version
  std::string key;
  std::string version;  // the client's hash of the paths and the compression method
  std::string scope;    // the ref that saved it, e.g. `refs/heads/main`
  std::uint64_t size = 0;
  std::int64_t created_ns = 0;    // since the epoch; orders prefix matches, newest first
  std::int64_t last_used_ns = 0;  // since the epoch; the least recently used is evicted first
};

/// What a restore asks for: the primary key first, then the restore keys, in order.
struct Lookup {
  std::vector<std::string> keys;
  std::string version;
  std::vector<std::string> scopes;  // the refs the job may read, most specific first
};

/// The refs a job on `ref` may read caches from, as GitHub allows: its own ref, then the base
/// branch of a pull request, then the default branch; duplicates and empty names dropped.
[[nodiscard]] std::vector<std::string> readable_scopes(const std::string& ref, const std::string& base_ref,
                                                       const std::string& default_branch);

/// GitHub's matching: scope by scope, each key in order, an exact key first and then the newest
/// entry the key is a prefix of; the version must be equal. nullopt when nothing matches.
[[nodiscard]] std::optional<CacheEntry> find_match(const std::vector<CacheEntry>& entries, const Lookup& lookup);

/// The entry ids to evict, least recently used first, so the rest fit in `limit` bytes.
[[nodiscard]] std::vector<std::string> evictions(std::vector<CacheEntry> entries, std::uint64_t limit);

}  // namespace pipeline::runner::cache
