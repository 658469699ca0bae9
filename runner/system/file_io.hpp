#pragma once
// Whole writes at an offset: pwrite(2) until every byte is written, retrying on EINTR.
#include <cstdint>
#include <string_view>

namespace pipeline::runner::system {

/// Writes all of `bytes` to `fd` at `offset`; false on an error or a write that makes no progress.
[[nodiscard]] bool pwrite_all(int fd, std::string_view bytes, std::int64_t offset);

}  // namespace pipeline::runner::system
