#pragma once
// Where a warm hook exports each snapshot: one stable directory per repository, so the job
// containers the hook keeps between commits bind it once and see each commit's files in it.
#include <filesystem>

#include "runner/system/file_lock.hpp"

namespace pipeline::runner::hook {

/// The stable export directory of the repository at `root`, held for one hook run: empty on
/// arrival and emptied again when this ends (its contents go, the directory the containers
/// bind stays). path() is empty when another hook holds it or it cannot be made.
class WarmExport {
public:
  explicit WarmExport(const std::filesystem::path& root);
  ~WarmExport();
  WarmExport(const WarmExport&) = delete;
  WarmExport& operator=(const WarmExport&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

private:
  FileLock m_lock;
  std::filesystem::path m_path;
};

/// `pipe-warm-<digest of root>`: the directory's name under the scratch parent.
[[nodiscard]] std::string warm_export_name(const std::filesystem::path& root);

}  // namespace pipeline::runner::hook
