#pragma once
// Putting an upload's blocks in list order inside the data file they were written to, when
// they took their places in another order (requests sent in order can start out of order).
#include <cstdint>
#include <vector>

namespace pipeline::runner::system {

/// Where a block's bytes lie in its upload's data file.
struct BlockExtent {
  std::int64_t offset = 0;
  std::int64_t length = 0;
};

/// Whether the blocks at `extents` (in list order) fill `[0, size)` exactly and each one's place
/// in list order is the place of a block of the same length now, so that whole blocks swap places.
[[nodiscard]] bool reorderable(const std::vector<BlockExtent>& extents, std::int64_t size);

/// Moves the blocks of the file `fd` so the i-th of `extents` starts where the lengths before it
/// end; `extents` must be reorderable(). False on an I/O error, the file then half reordered.
[[nodiscard]] bool reorder_in_place(int fd, const std::vector<BlockExtent>& extents);

}  // namespace pipeline::runner::system
