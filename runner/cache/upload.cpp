#include "runner/cache/upload.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace pipeline::runner::cache {
namespace fs = std::filesystem;
namespace {

Result<void> write_at(const fs::path& path, std::uint64_t offset, std::string_view data, int flags) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
  if (fd < 0) {
    return Error{"cannot open " + path.string() + ": " + std::strerror(errno)};
  }
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t written = ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (written < 0 && errno == EINTR) {
      continue;
    }
    if (written <= 0) {
      const std::string reason = std::strerror(errno);
      ::close(fd);
      return Error{"cannot write " + path.string() + ": " + reason};
    }
    done += static_cast<std::size_t>(written);
  }
  if (::close(fd) != 0) {
    return Error{"cannot write " + path.string() + ": " + std::strerror(errno)};
  }
  return {};
}

// Block ids are base64 and may hold `/` or `+`: hex keeps them a plain file name.
fs::path block_file(const Reservation& upload, std::string_view block_id) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string name;
  for (const char c : block_id) {
    name += k_hex[static_cast<unsigned char>(c) >> 4];
    name += k_hex[static_cast<unsigned char>(c) & 15];
  }
  return upload.blocks() / name;
}

// Appends `from` to the open `to`, in the kernel where it can (copy_file_range).
Result<void> append_file(int to, const fs::path& from) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    return Error{"cannot open " + from.string() + ": " + std::strerror(errno)};
  }
  struct stat info {};
  ::fstat(in, &info);
  auto left = static_cast<std::size_t>(info.st_size);
  while (left > 0) {
    const ssize_t copied = ::copy_file_range(in, nullptr, to, nullptr, left, 0);
    if (copied < 0 && errno == EINTR) {
      continue;
    }
    if (copied <= 0) {
      const std::string reason = std::strerror(errno);
      ::close(in);
      return Error{"cannot copy " + from.string() + ": " + reason};
    }
    left -= static_cast<std::size_t>(copied);
  }
  ::close(in);
  return {};
}

}  // namespace

Result<void> write_range(const Reservation& upload, std::uint64_t offset, std::string_view data) {
  return write_at(upload.archive(), offset, data, 0);
}

Result<void> put_blob(const Reservation& upload, std::string_view data) {
  return write_at(upload.archive(), 0, data, O_TRUNC);
}

Result<void> put_block(const Reservation& upload, std::string_view block_id, std::string_view data) {
  if (block_id.empty() || block_id.size() > 64) {
    return Error{"The specified block ID is invalid."};
  }
  return write_at(block_file(upload, block_id), 0, data, O_TRUNC);
}

Result<void> put_block_list(const Reservation& upload, const std::vector<std::string>& block_ids) {
  for (const std::string& id : block_ids) {
    if (!fs::exists(block_file(upload, id))) {
      return Error{"The specified block list is invalid."};
    }
  }
  const int fd = ::open(upload.archive().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Error{"cannot open " + upload.archive().string() + ": " + std::strerror(errno)};
  }
  for (const std::string& id : block_ids) {
    if (auto appended = append_file(fd, block_file(upload, id)); !appended) {
      ::close(fd);
      return appended;
    }
  }
  ::close(fd);
  std::error_code ignored;
  fs::remove_all(upload.blocks(), ignored);
  fs::create_directories(upload.blocks(), ignored);
  return {};
}

std::vector<std::string> parse_block_list(std::string_view xml) {
  std::vector<std::string> ids;
  std::size_t at = 0;
  while ((at = xml.find('<', at)) != std::string_view::npos) {
    const std::size_t name_end = xml.find('>', at);
    if (name_end == std::string_view::npos) {
      break;
    }
    const std::string_view name = xml.substr(at + 1, name_end - at - 1);
    at = name_end + 1;
    if (name != "Latest" && name != "Uncommitted" && name != "Committed") {
      continue;
    }
    const std::size_t close = xml.find("</", at);
    if (close == std::string_view::npos) {
      break;
    }
    ids.emplace_back(xml.substr(at, close - at));
    at = close;
  }
  return ids;
}

std::optional<std::uint64_t> content_range_start(std::string_view header) {
  constexpr std::string_view k_prefix = "bytes ";
  if (header.rfind(k_prefix, 0) != 0) {
    return std::nullopt;
  }
  header.remove_prefix(k_prefix.size());
  std::uint64_t start = 0;
  const auto [end, error] = std::from_chars(header.data(), header.data() + header.size(), start);
  if (error != std::errc{} || end == header.data() + header.size() || *end != '-') {
    return std::nullopt;
  }
  return start;
}

}  // namespace pipeline::runner::cache
