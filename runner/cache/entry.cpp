#include "runner/cache/entry.hpp"

#include <algorithm>

namespace pipeline::runner::cache {
namespace {

std::string as_branch_ref(const std::string& name) {
  if (name.empty() || name.rfind("refs/", 0) == 0) {
    return name;
  }
  return "refs/heads/" + name;
}

std::optional<CacheEntry> match_key(const std::vector<CacheEntry>& entries, const std::string& key,
                                    const std::string& version, const std::string& scope) {
  const CacheEntry* newest_prefix = nullptr;
  for (const CacheEntry& entry : entries) {
    if (entry.scope != scope || entry.version != version || entry.key.rfind(key, 0) != 0) {
      continue;
    }
    if (entry.key == key) {
      return entry;
    }
    if (newest_prefix == nullptr || entry.created_ns > newest_prefix->created_ns) {
      newest_prefix = &entry;
    }
  }
  if (newest_prefix == nullptr) {
    return std::nullopt;
  }
  return *newest_prefix;
}

}  // namespace

std::vector<std::string> readable_scopes(const std::string& ref, const std::string& base_ref,
                                         const std::string& default_branch) {
  std::vector<std::string> scopes;
  for (const std::string& scope : {ref, as_branch_ref(base_ref), as_branch_ref(default_branch)}) {
    if (!scope.empty() && std::find(scopes.begin(), scopes.end(), scope) == scopes.end()) {
      scopes.push_back(scope);
    }
  }
  return scopes;
}

std::optional<CacheEntry> find_match(const std::vector<CacheEntry>& entries, const Lookup& lookup) {
  for (const std::string& scope : lookup.scopes) {
    for (const std::string& key : lookup.keys) {
      if (auto found = match_key(entries, key, lookup.version, scope)) {
        return found;
      }
    }
  }
  return std::nullopt;
}

std::vector<std::string> evictions(std::vector<CacheEntry> entries, std::uint64_t limit) {
  std::sort(entries.begin(), entries.end(),
            [](const CacheEntry& a, const CacheEntry& b) { return a.last_used_ns < b.last_used_ns; });
  std::uint64_t total = 0;
  for (const CacheEntry& entry : entries) {
    total += entry.size;
  }
  std::vector<std::string> evicted;
  for (const CacheEntry& entry : entries) {
    if (total <= limit) {
      break;
    }
    total -= entry.size;
    evicted.push_back(entry.id);
  }
  return evicted;
}

}  // namespace pipeline::runner::cache
