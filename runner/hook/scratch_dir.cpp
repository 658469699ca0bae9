#include "runner/hook/scratch_dir.hpp"

#include "runner/system/owned_dirs.hpp"

#include <linux/magic.h>
#include <stdlib.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cstdlib>
#include <system_error>

namespace pipeline::runner::hook {
namespace {

namespace fs = std::filesystem;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

bool is_memory_backed(const struct statfs& info) {
  return info.f_type == TMPFS_MAGIC || info.f_type == RAMFS_MAGIC;
}

bool has_room(const fs::path& dir, std::uint64_t bytes) {
  struct statfs info {};
  if (::statfs(dir.c_str(), &info) != 0 || ::access(dir.c_str(), W_OK | X_OK) != 0) {
    return false;
  }
  const auto available = static_cast<std::uint64_t>(info.f_bavail) * static_cast<std::uint64_t>(info.f_bsize);
  return available / (is_memory_backed(info) ? 2 : 1) >= bytes;
}

}  // namespace

std::vector<fs::path> scratch_candidates() {
  if (auto tmpdir = env("TMPDIR"); !tmpdir.empty()) {
    return {tmpdir};
  }
  std::vector<fs::path> out;
  if (auto runtime = env("XDG_RUNTIME_DIR"); !runtime.empty()) {
    out.emplace_back(runtime);
  }
  out.emplace_back("/dev/shm");
  out.emplace_back("/tmp");
  return out;
}

fs::path choose_scratch_parent(const std::vector<fs::path>& candidates, std::uint64_t bytes) {
  for (const auto& dir : candidates) {
    if (has_room(dir, bytes)) {
      return dir;
    }
  }
  return candidates.empty() ? fs::path("/tmp") : candidates.back();
}

ScratchDir::ScratchDir(std::uint64_t bytes) {
  const auto candidates = scratch_candidates();
  // Exports of hooks that were killed (memory-backed storage would keep them until reboot).
  for (const auto& dir : candidates) {
    (void)remove_orphaned_dirs(dir, k_hook_prefix, LiveOwners::keep);
  }
  std::string pattern = (choose_scratch_parent(candidates, bytes) / (owned_prefix(k_hook_prefix) + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) != nullptr) {
    m_path = pattern;
  }
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  if (!m_path.empty()) {
    fs::remove_all(m_path, ec);
  }
}

}  // namespace pipeline::runner::hook
