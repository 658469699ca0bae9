#pragma once
// Whole reads and writes at an offset: pread(2)/pwrite(2) until every byte moved, retrying on EINTR.
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

namespace pipeline::runner::system {

/// Writes all of `bytes` to `fd` at `offset`; false on an error or a write that makes no progress.
[[nodiscard]] bool pwrite_all(int fd, std::string_view bytes, std::int64_t offset);

/// A body handed over piece by piece: the source calls the sink with each piece, in order, and
/// returns false when the body could not be read whole or the sink refused a piece.
using PieceSink = std::function<bool(std::string_view)>;
using PieceSource = std::function<bool(const PieceSink&)>;

/// What pwrite_pieces wrote.
struct PiecesWritten {
  std::int64_t bytes = 0;  // written from the offset
  bool whole = false;      // the source delivered its body and every byte was written
  bool too_long = false;   // the pieces came to more than the limit (nothing past it is written)
  bool failed = false;     // a write failed
};

/// Writes the body `source` delivers to `fd` from `offset`, gathering its pieces into writes of a
/// few MiB (an HTTP server hands a body over a few KiB at a time, and a write per piece costs more
/// than the copy); at most `limit` bytes (-1: any number).
[[nodiscard]] PiecesWritten pwrite_pieces(int fd, std::int64_t offset, std::int64_t limit, const PieceSource& source);

/// Fills all of `into` from `fd` at `offset`; false on an error or a file that ends first.
[[nodiscard]] bool pread_all(int fd, std::span<char> into, std::int64_t offset);

/// Reads `length` bytes of `fd` from `offset` through `buffer`, handing `each` one piece of at most
/// the buffer's size at a time; false on an error, a file that ends first, or a piece `each` refuses.
[[nodiscard]] bool pread_range(int fd, std::int64_t offset, std::int64_t length, std::span<char> buffer,
                               const std::function<bool(std::string_view)>& each);

}  // namespace pipeline::runner::system
