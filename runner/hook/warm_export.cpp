#include "runner/hook/warm_export.hpp"

#include <cstdint>
#include <system_error>

#include "runner/hook/scratch_dir.hpp"

namespace pipeline::runner::hook {
namespace {

namespace fs = std::filesystem;

// Removes what is inside `dir`, not `dir`: a container binds the directory itself.
void empty_directory(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code ignored;
    fs::remove_all(it->path(), ignored);
  }
}

}  // namespace

std::string warm_export_name(const fs::path& root) {
  // FNV-1a of the root's path: stable across runs, only tells repositories apart.
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : root.lexically_normal().string()) {
    hash = (hash ^ c) * 1099511628211ULL;
  }
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out = "pipe-warm-";
  for (int shift = 60; shift >= 0; shift -= 4) {
    out.push_back(k_hex[(hash >> shift) & 0xF]);
  }
  return out;
}

WarmExport::WarmExport(const fs::path& root) {
  // The first candidate that can hold a directory at all: the choice must not change between
  // commits with the snapshot's size, or the kept containers would bind another path.
  const fs::path dir = choose_scratch_parent(scratch_candidates(), 0) / warm_export_name(root);
  auto lock = FileLock::try_lock(dir.string() + ".lock");
  if (!lock || !lock->held()) {
    return;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return;
  }
  m_lock = std::move(*lock);
  empty_directory(dir);  // a killed hook's export
  m_path = dir;
}

WarmExport::~WarmExport() {
  if (!m_path.empty()) {
    empty_directory(m_path);
  }
}

}  // namespace pipeline::runner::hook
