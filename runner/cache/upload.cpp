#include "runner/cache/upload.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "runner/system/file_io.hpp"

namespace pipeline::runner::cache {
namespace fs = std::filesystem;
namespace {

/// Closes a descriptor when it goes out of scope.
class Descriptor {
public:
  explicit Descriptor(int fd) : m_fd(fd) {}
  ~Descriptor() {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  [[nodiscard]] int get() const { return m_fd; }

private:
  int m_fd;
};

// Streams `body` into `path` from `offset`; at most `limit` bytes (-1: any number). The bytes written.
Result<std::int64_t> write_body(const fs::path& path, int flags, std::int64_t offset, std::int64_t limit,
                                const BodySource& body) {
  const Descriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644));
  if (fd.get() < 0) {
    return Error{"cannot open " + path.string() + ": " + std::strerror(errno)};
  }
  const auto written = system::pwrite_pieces(fd.get(), offset, limit, body);
  if (written.too_long) {
    return Error{"the body is longer than the " + std::to_string(limit) + " bytes declared"};
  }
  if (written.failed) {
    return Error{"cannot write " + path.string() + ": " + std::strerror(errno)};
  }
  if (!written.whole) {
    return Error{"the body ended before it was received whole"};
  }
  return written.bytes;
}

// Copies `length` bytes at `offset` of `in` to the end of `out`, in the kernel (copy_file_range).
bool copy_extent(int in, std::int64_t offset, std::int64_t length, int out) {
  auto from = static_cast<off_t>(offset);
  while (length > 0) {
    const ssize_t copied = ::copy_file_range(in, &from, out, nullptr, static_cast<std::size_t>(length), 0);
    if (copied < 0 && errno == EINTR) {
      continue;
    }
    if (copied <= 0) {
      return false;
    }
    length -= copied;
  }
  return true;
}

fs::path data_file(const Reservation& upload) { return upload.blocks() / "data"; }

}  // namespace

BodySource body_of(std::string_view bytes) {
  return [bytes](const BodySink& sink) { return bytes.empty() || sink(bytes); };
}

Result<void> write_range(const Reservation& upload, std::uint64_t offset, const BodySource& body) {
  auto written = write_body(upload.archive(), 0, static_cast<std::int64_t>(offset), -1, body);
  if (!written) {
    return written.error();
  }
  return {};
}

Result<void> write_range(const Reservation& upload, std::uint64_t offset, std::string_view data) {
  return write_range(upload, offset, body_of(data));
}

Result<void> put_blob(const Reservation& upload, const BodySource& body) {
  auto written = write_body(upload.archive(), O_TRUNC, 0, -1, body);
  if (!written) {
    return written.error();
  }
  return {};
}

Result<void> put_blob(const Reservation& upload, std::string_view data) { return put_blob(upload, body_of(data)); }

Result<void> BlockLayout::put_block(const Reservation& upload, std::string_view block_id, std::int64_t length,
                                    const BodySource& body) {
  if (block_id.empty() || block_id.size() > 64) {
    return Error{"The specified block ID is invalid."};
  }
  if (length < 0) {
    // A body of unknown length (chunked) needs its size before it gets a place in the data file.
    std::string bytes;
    if (!body([&bytes](std::string_view piece) {
          bytes.append(piece);
          return true;
        })) {
      return Error{"the body ended before it was received whole"};
    }
    return put_block(upload, block_id, bytes);
  }
  Extent extent;
  {
    std::lock_guard lock(m_mutex);
    extent = Extent{m_reserved, length};
    m_reserved += length;
  }
  auto written = write_body(data_file(upload), 0, extent.offset, length, body);
  if (!written) {
    return written.error();
  }
  if (*written != length) {
    return Error{"the block's body ended after " + std::to_string(*written) + " of the " + std::to_string(length) +
                 " bytes declared"};
  }
  std::lock_guard lock(m_mutex);
  m_blocks.insert_or_assign(std::string(block_id), extent);
  return {};
}

Result<void> BlockLayout::put_block(const Reservation& upload, std::string_view block_id, std::string_view data) {
  return put_block(upload, block_id, static_cast<std::int64_t>(data.size()), body_of(data));
}

Result<void> BlockLayout::commit(const Reservation& upload, const std::vector<std::string>& block_ids) {
  std::lock_guard lock(m_mutex);
  std::vector<Extent> extents;
  std::int64_t end = 0;
  bool in_place = !block_ids.empty();
  for (const std::string& id : block_ids) {
    const auto it = m_blocks.find(id);
    if (it == m_blocks.end()) {
      return Error{"The specified block list is invalid."};
    }
    in_place = in_place && it->second.offset == end;
    end += it->second.length;
    extents.push_back(it->second);
  }
  in_place = in_place && end == m_reserved;
  // Blocks whose requests started out of order only swap places: the data file stays the archive.
  if (!in_place && !block_ids.empty() && end == m_reserved && system::reorderable(extents, end)) {
    const Descriptor data(::open(data_file(upload).c_str(), O_RDWR | O_CLOEXEC));
    in_place = data.get() >= 0 && system::reorder_in_place(data.get(), extents);
    if (!in_place) {
      m_blocks.clear();  // half swapped: no block is where the layout says any more
      m_reserved = 0;
      return Error{"cannot write " + upload.archive().string() + ": " + std::strerror(errno)};
    }
  }
  std::error_code ec;
  if (in_place) {
    fs::rename(data_file(upload), upload.archive(), ec);
    if (ec) {
      return Error{"cannot write " + upload.archive().string() + ": " + ec.message()};
    }
  } else {
    const Descriptor out(::open(upload.archive().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    const Descriptor in(::open(data_file(upload).c_str(), O_RDONLY | O_CLOEXEC));
    bool copied = out.get() >= 0 && (extents.empty() || in.get() >= 0);
    for (const Extent& extent : extents) {
      copied = copied && copy_extent(in.get(), extent.offset, extent.length, out.get());
    }
    if (!copied) {
      return Error{"cannot write " + upload.archive().string() + ": " + std::strerror(errno)};
    }
    fs::remove(data_file(upload), ec);
  }
  m_blocks.clear();
  m_reserved = 0;
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
