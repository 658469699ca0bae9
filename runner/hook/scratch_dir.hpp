#pragma once
// Where a hook exports its snapshot: a directory of its own, on memory-backed storage when the
// machine has some with room, because writing and removing a whole tree of small files on a
// disk can cost more than the job the hook runs.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::runner::hook {

/// The directories a scratch directory may go under, best first: $TMPDIR when the user set it
/// (their choice wins), then $XDG_RUNTIME_DIR and /dev/shm (memory-backed), then /tmp.
[[nodiscard]] std::vector<std::filesystem::path> scratch_candidates();

/// The first of `candidates` that is a writable directory with room for `bytes` (and twice that
/// on a memory-backed one, so an export never fills the machine's memory); the last otherwise.
[[nodiscard]] std::filesystem::path choose_scratch_parent(const std::vector<std::filesystem::path>& candidates,
                                                          std::uint64_t bytes);

/// How hook exports are named: `pipe-hook-<pid>-XXXXXX` (see runner/system/owned_dirs.hpp).
inline constexpr std::string_view k_hook_prefix = "pipe-hook-";

/// A fresh directory `pipe-hook-<pid>-XXXXXX` under a chosen parent, removed with everything in
/// it when this ends. Exports left by killed hooks are removed first.
class ScratchDir {
public:
  explicit ScratchDir(std::uint64_t bytes);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  /// Empty when no directory could be made.
  [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

private:
  std::filesystem::path m_path;
};

}  // namespace pipeline::runner::hook
