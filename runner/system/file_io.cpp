#include "runner/system/file_io.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

namespace pipeline::runner::system {

bool pwrite_all(int fd, std::string_view bytes, std::int64_t offset) {
  while (!bytes.empty()) {
    const ssize_t written = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (written < 0 && errno == EINTR) {
      continue;
    }
    if (written <= 0) {
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
    offset += written;
  }
  return true;
}

PiecesWritten pwrite_pieces(int fd, std::int64_t offset, std::int64_t limit, const PieceSource& source) {
  constexpr std::size_t k_gather = 4U << 20U;
  thread_local std::string pending;  // one per thread: a fresh buffer per body costs as much as the copy
  pending.clear();
  pending.reserve(k_gather);
  PiecesWritten result;
  const auto flush = [&] {
    result.failed = !pwrite_all(fd, pending, offset + result.bytes);
    result.bytes += static_cast<std::int64_t>(pending.size());
    pending.clear();
    return !result.failed;
  };
  const bool delivered = source([&](std::string_view piece) {
    if (limit >= 0 && result.bytes + static_cast<std::int64_t>(pending.size() + piece.size()) > limit) {
      result.too_long = true;
      return false;
    }
    pending.append(piece);
    return pending.size() < k_gather || flush();
  });
  result.whole = delivered && flush();
  return result;
}

bool pread_all(int fd, std::span<char> into, std::int64_t offset) {
  while (!into.empty()) {
    const ssize_t got = ::pread(fd, into.data(), into.size(), static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      return false;
    }
    into = into.subspan(static_cast<std::size_t>(got));
    offset += got;
  }
  return true;
}

bool pread_range(int fd, std::int64_t offset, std::int64_t length, std::span<char> buffer,
                 const std::function<bool(std::string_view)>& each) {
  while (length > 0) {
    const auto want = static_cast<std::size_t>(std::min<std::int64_t>(length, static_cast<std::int64_t>(buffer.size())));
    if (!pread_all(fd, buffer.first(want), offset) || !each(std::string_view(buffer.data(), want))) {
      return false;
    }
    offset += static_cast<std::int64_t>(want);
    length -= static_cast<std::int64_t>(want);
  }
  return true;
}

}  // namespace pipeline::runner::system
