#pragma once
// An advisory lock on a file (flock(2)): one holder at a time, released when the holder lets go or
// its process dies, so a killed pipe never leaves a stale lock behind.
#include <filesystem>
#include <string>

#include "workflow/base/result.hpp"

namespace pipeline::runner {

/// An exclusive, non-waiting lock on one file; letting go happens in the destructor. The holder
/// may delete the file before it lets go: whoever locks the path later gets a new file.
class FileLock {
public:
  /// Takes the lock on `path` (creating the file) without waiting: an empty FileLock (held() is
  /// false) when another holder has it, an error when the file cannot be opened.
  [[nodiscard]] static Result<FileLock> try_lock(const std::filesystem::path& path);

  FileLock() = default;
  ~FileLock();
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  /// Whether this object holds the lock.
  [[nodiscard]] bool held() const { return m_fd >= 0; }

private:
  FileLock(int fd, std::filesystem::path path) : m_fd(fd), m_path(std::move(path)) {}
  void release();

  int m_fd = -1;
  std::filesystem::path m_path;
};

}  // namespace pipeline::runner
