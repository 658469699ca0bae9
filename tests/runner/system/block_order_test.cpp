#include "runner/system/block_order.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace pipeline::runner::system;
namespace fs = std::filesystem;

namespace {

struct TempFile {
  fs::path path = fs::temp_directory_path() / ("pipe-block-order-" + std::to_string(::getpid()));
  explicit TempFile(const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }
  ~TempFile() { fs::remove(path); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  [[nodiscard]] std::string bytes() const {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
};

std::string reordered(const std::string& bytes, const std::vector<BlockExtent>& extents) {
  TempFile file(bytes);
  const int fd = ::open(file.path.c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(fd >= 0);
  const bool moved = reorder_in_place(fd, extents);
  ::close(fd);
  REQUIRE(moved);
  return file.bytes();
}

}  // namespace

TEST_CASE("blocks that swapped places among blocks of their length can be reordered", "[services]") {
  CHECK(reorderable({{0, 4}, {4, 4}, {8, 2}}, 10));   // already in order
  CHECK(reorderable({{4, 4}, {0, 4}, {8, 2}}, 10));   // two swapped
  CHECK(reorderable({}, 0));
  CHECK_FALSE(reorderable({{0, 4}, {4, 4}}, 10));     // bytes left over past the last block
  CHECK_FALSE(reorderable({{2, 4}, {0, 2}}, 6));      // lengths differ: the places do not match
  CHECK_FALSE(reorderable({{0, 4}, {0, 4}}, 8));      // one block listed twice
  CHECK_FALSE(reorderable({{0, 4}, {8, 4}}, 8));      // a gap
}

TEST_CASE("reordering moves each block to where the lengths before it end", "[services]") {
  CHECK(reordered("BBBBAAAACC", {{4, 4}, {0, 4}, {8, 2}}) == "AAAABBBBCC");
  // A cycle of three and a block already in place.
  CHECK(reordered("CCBBAADD", {{4, 2}, {2, 2}, {0, 2}, {6, 2}}) == "AABBCCDD");
  CHECK(reordered("BBCCAADD", {{4, 2}, {0, 2}, {2, 2}, {6, 2}}) == "AABBCCDD");
  CHECK(reordered("AABB", {{0, 2}, {2, 2}}) == "AABB");
}
