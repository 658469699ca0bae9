#pragma once
// Whole reads and writes at an offset: pread(2)/pwrite(2) until every byte moved, retrying on EINTR.
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

namespace pipeline::runner::system {

/// Writes all of `bytes` to `fd` at `offset`; false on an error or a write that makes no progress.
[[nodiscard]] bool pwrite_all(int fd, std::string_view bytes, std::int64_t offset);

/// Fills all of `into` from `fd` at `offset`; false on an error or a file that ends first.
[[nodiscard]] bool pread_all(int fd, std::span<char> into, std::int64_t offset);

/// Reads `length` bytes of `fd` from `offset` through `buffer`, handing `each` one piece of at most
/// the buffer's size at a time; false on an error, a file that ends first, or a piece `each` refuses.
[[nodiscard]] bool pread_range(int fd, std::int64_t offset, std::int64_t length, std::span<char> buffer,
                               const std::function<bool(std::string_view)>& each);

}  // namespace pipeline::runner::system
