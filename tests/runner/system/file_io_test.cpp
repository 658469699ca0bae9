#include "runner/system/file_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

using namespace pipeline::runner::system;

TEST_CASE("pwrite_all, pread_all and pread_range move whole ranges at offsets", "[system]") {
  pipeline::test::TempDir dir("file-io");
  const std::string path = (dir.path / "data").string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  std::string bytes;
  for (int i = 0; i < 1000; ++i) {
    bytes += std::to_string(i) + ",";
  }
  REQUIRE(pwrite_all(fd, bytes, 10));

  std::string head(5, '\0');
  CHECK(pread_all(fd, head, 10));
  CHECK(head == "0,1,2");
  std::string past(5, '\0');
  CHECK_FALSE(pread_all(fd, past, static_cast<std::int64_t>(bytes.size()) + 8));  // the file ends first

  // Through a buffer of 7 bytes: pieces of 7 and a last shorter one, in order.
  std::vector<char> buffer(7);
  std::string joined;
  std::vector<std::size_t> sizes;
  CHECK(pread_range(fd, 10, static_cast<std::int64_t>(bytes.size()), buffer, [&](std::string_view piece) {
    joined.append(piece);
    sizes.push_back(piece.size());
    return true;
  }));
  CHECK(joined == bytes);
  CHECK(sizes.front() == 7);
  CHECK(sizes.back() == bytes.size() % 7);

  int pieces = 0;
  CHECK_FALSE(pread_range(fd, 10, 100, buffer, [&](std::string_view) { return ++pieces < 3; }));  // refused
  CHECK(pieces == 3);
  CHECK_FALSE(pread_range(fd, 10, static_cast<std::int64_t>(bytes.size()) + 1, buffer,
                          [](std::string_view) { return true; }));  // one byte past the end
  ::close(fd);
}

TEST_CASE("pwrite_pieces gathers a body's pieces at an offset, and stops at its limit", "[system]") {
  pipeline::test::TempDir dir("file-io");
  const std::string path = (dir.path / "data").string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  const std::string piece(4096, 'x');
  const auto pieces = [&](int count) {
    return [&piece, count](const PieceSink& sink) {
      for (int i = 0; i < count; ++i) {
        if (!sink(piece)) {
          return false;
        }
      }
      return true;
    };
  };
  // 2000 pieces: more than one gathered write.
  auto written = pwrite_pieces(fd, 3, -1, pieces(2000));
  CHECK(written.whole);
  CHECK_FALSE(written.too_long);
  CHECK(written.bytes == 2000 * 4096);
  std::string back(2000 * 4096, '\0');
  CHECK(pread_all(fd, back, 3));
  CHECK(back == std::string(2000 * 4096, 'x'));

  written = pwrite_pieces(fd, 0, 3 * 4096 - 1, pieces(3));  // one byte over the limit
  CHECK(written.too_long);
  CHECK_FALSE(written.whole);

  written = pwrite_pieces(fd, 0, -1, [](const PieceSink&) { return false; });  // the body broke off
  CHECK_FALSE(written.whole);
  CHECK_FALSE(written.too_long);
  CHECK_FALSE(written.failed);
  ::close(fd);
}
