#include "runner/system/block_order.hpp"

#include "runner/system/file_io.hpp"

#include <unistd.h>

#include <cerrno>
#include <map>
#include <string>

namespace pipeline::runner::system {

namespace {

// Where each block goes: the sum of the lengths before it in list order.
std::vector<std::int64_t> targets_of(const std::vector<BlockExtent>& extents) {
  std::vector<std::int64_t> targets;
  std::int64_t end = 0;
  for (const BlockExtent& extent : extents) {
    targets.push_back(end);
    end += extent.length;
  }
  return targets;
}

bool read_block(int fd, const BlockExtent& extent, std::string& into) {
  into.resize(static_cast<std::size_t>(extent.length));
  return pread_all(fd, into, extent.offset);
}

}  // namespace

bool reorderable(const std::vector<BlockExtent>& extents, std::int64_t size) {
  std::map<std::int64_t, std::int64_t> places;  // the blocks' places now: offset -> length
  for (const BlockExtent& extent : extents) {
    if (!places.emplace(extent.offset, extent.length).second) {
      return false;  // one place listed twice
    }
  }
  const auto targets = targets_of(extents);
  for (std::size_t i = 0; i < extents.size(); ++i) {
    const auto place = places.find(targets[i]);
    if (place == places.end() || place->second != extents[i].length) {
      return false;
    }
  }
  return extents.empty() ? size == 0 : targets.back() + extents.back().length == size;
}

bool reorder_in_place(int fd, const std::vector<BlockExtent>& extents) {
  const auto targets = targets_of(extents);
  std::map<std::int64_t, std::size_t> at;  // offset -> the block there now
  for (std::size_t i = 0; i < extents.size(); ++i) {
    at[extents[i].offset] = i;
  }
  // Follow each cycle of the permutation, holding one block in memory while the next is read.
  std::vector<bool> placed(extents.size(), false);
  std::string moving;
  std::string next_bytes;
  for (std::size_t start = 0; start < extents.size(); ++start) {
    if (placed[start] || extents[start].offset == targets[start]) {
      continue;
    }
    if (!read_block(fd, extents[start], moving)) {
      return false;
    }
    for (std::size_t current = start;;) {
      placed[current] = true;
      const std::size_t displaced = at.at(targets[current]);
      if (!placed[displaced] && !read_block(fd, extents[displaced], next_bytes)) {
        return false;
      }
      if (!pwrite_all(fd, moving, targets[current])) {
        return false;
      }
      if (placed[displaced]) {
        break;
      }
      moving.swap(next_bytes);
      current = displaced;
    }
  }
  return true;
}

}  // namespace pipeline::runner::system
