#include "runner/system/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace pipeline::runner {
namespace {

// True while `path` still names the file open on `fd`: a lock on a file its holder deleted
// before letting go guards nothing, since later lockers open a new file.
bool still_named(int fd, const std::filesystem::path& path) {
  struct stat open_file {};
  struct stat named {};
  return ::fstat(fd, &open_file) == 0 && ::stat(path.c_str(), &named) == 0 && open_file.st_dev == named.st_dev &&
         open_file.st_ino == named.st_ino;
}

}  // namespace

Result<FileLock> FileLock::try_lock(const std::filesystem::path& path) {
  while (true) {
    // Close-on-exec: a child process of pipe must not keep the lock alive after pipe dies.
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      return Error{"cannot open the lock file " + path.string() + ": " + std::strerror(errno)};
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      ::close(fd);
      if (error == EWOULDBLOCK) {
        return FileLock();
      }
      return Error{"cannot lock " + path.string() + ": " + std::strerror(error)};
    }
    if (still_named(fd, path)) {
      return FileLock(fd, path);
    }
    ::close(fd);  // the file was deleted between our open and our lock: try the new one
  }
}

FileLock::~FileLock() { release(); }

FileLock::FileLock(FileLock&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_path(std::move(other.m_path)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    release();
    m_fd = std::exchange(other.m_fd, -1);
    m_path = std::move(other.m_path);
  }
  return *this;
}

void FileLock::release() {
  if (m_fd >= 0) {
    ::close(m_fd);  // closing the last descriptor of the open file lets go of the flock
    m_fd = -1;
  }
}

}  // namespace pipeline::runner
