// Block-blob uploads written as their bodies arrive: where each block lands, and what is refused.
#include "runner/cache/upload.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "support/temp_dir.hpp"

using namespace pipeline::runner::cache;
namespace fs = std::filesystem;

namespace {

const std::string k_repo = "octo/hello";

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

ino_t inode_of(const fs::path& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_ino;
}

// A body delivered in pieces of `piece` bytes, as the server hands it over.
BodySource pieces_of(const std::string& bytes, std::size_t piece) {
  return [bytes, piece](const BodySink& sink) {
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
      if (!sink(std::string_view(bytes).substr(at, piece))) {
        return false;
      }
    }
    return true;
  };
}

}  // namespace

TEST_CASE("BlockLayout: blocks sent in list order are the archive already; commit only renames", "[cache]") {
  pipeline::test::TempDir dir("cache-upload-in-place");
  Store store(dir.path);
  auto upload = store.reserve(k_repo, "refs/heads/main", "k", "v1");
  REQUIRE(upload.ok());
  BlockLayout blocks;
  const std::string first(5 << 20, 'a');  // more than one write buffer
  const std::string second = "tail";
  REQUIRE(blocks.put_block(*upload, "AAAA", static_cast<std::int64_t>(first.size()), pieces_of(first, 4096)).ok());
  REQUIRE(blocks.put_block(*upload, "AAAB", static_cast<std::int64_t>(second.size()), pieces_of(second, 3)).ok());
  const ino_t written = inode_of(upload->blocks() / "data");
  REQUIRE(blocks.commit(*upload, {"AAAA", "AAAB"}).ok());
  CHECK(inode_of(upload->archive()) == written);
  CHECK(read_all(upload->archive()) == first + second);
}

TEST_CASE("BlockLayout: blocks of one length that took their places out of order swap places in the data file", "[cache]") {
  pipeline::test::TempDir dir("cache-upload-swap");
  Store store(dir.path);
  auto upload = store.reserve(k_repo, "refs/heads/main", "k", "v1");
  REQUIRE(upload.ok());
  BlockLayout blocks;
  REQUIRE(blocks.put_block(*upload, "AAAB", "two ").ok());  // its request started first
  REQUIRE(blocks.put_block(*upload, "AAAA", "one ").ok());
  REQUIRE(blocks.put_block(*upload, "AAAC", "3").ok());
  const ino_t written = inode_of(upload->blocks() / "data");
  REQUIRE(blocks.commit(*upload, {"AAAA", "AAAB", "AAAC"}).ok());
  CHECK(inode_of(upload->archive()) == written);
  CHECK(read_all(upload->archive()) == "one two 3");
}

TEST_CASE("BlockLayout: blocks listed in another order, or a block sent twice, are copied in list order", "[cache]") {
  pipeline::test::TempDir dir("cache-upload-reorder");
  Store store(dir.path);
  auto upload = store.reserve(k_repo, "refs/heads/main", "k", "v1");
  REQUIRE(upload.ok());
  BlockLayout blocks;
  REQUIRE(blocks.put_block(*upload, "AAAA", "one ").ok());
  REQUIRE(blocks.put_block(*upload, "AAAB", "two ").ok());
  REQUIRE(blocks.put_block(*upload, "AAAA", "uno ").ok());
  REQUIRE(blocks.commit(*upload, {"AAAB", "AAAA"}).ok());
  CHECK(read_all(upload->archive()) == "two uno ");
  CHECK_FALSE(fs::exists(upload->blocks() / "data"));
}

TEST_CASE("BlockLayout: a block whose body is shorter or longer than declared is refused and never listed", "[cache]") {
  pipeline::test::TempDir dir("cache-upload-short");
  Store store(dir.path);
  auto upload = store.reserve(k_repo, "refs/heads/main", "k", "v1");
  REQUIRE(upload.ok());
  BlockLayout blocks;
  auto short_body = blocks.put_block(*upload, "AAAA", 10, pieces_of("12345", 2));
  REQUIRE_FALSE(short_body.ok());
  CHECK(short_body.error().message == "the block's body ended after 5 of the 10 bytes declared");
  auto long_body = blocks.put_block(*upload, "AAAB", 3, pieces_of("12345", 2));
  REQUIRE_FALSE(long_body.ok());
  CHECK(long_body.error().message == "the body is longer than the 3 bytes declared");
  auto cut = blocks.put_block(*upload, "AAAC", 4, [](const BodySink& sink) { return sink("ab") && false; });
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.error().message == "the body ended before it was received whole");
  CHECK(blocks.commit(*upload, {"AAAA"}).error().message == "The specified block list is invalid.");
  CHECK(blocks.commit(*upload, {"AAAB"}).error().message == "The specified block list is invalid.");
}

TEST_CASE("BlockLayout: a body of unknown length (chunked) is stored whole", "[cache]") {
  pipeline::test::TempDir dir("cache-upload-chunked");
  Store store(dir.path);
  auto upload = store.reserve(k_repo, "refs/heads/main", "k", "v1");
  REQUIRE(upload.ok());
  BlockLayout blocks;
  REQUIRE(blocks.put_block(*upload, "AAAA", -1, pieces_of("chunked body", 5)).ok());
  REQUIRE(blocks.commit(*upload, {"AAAA"}).ok());
  CHECK(read_all(upload->archive()) == "chunked body");
}

TEST_CASE("write_range and put_blob stream pieces to their offsets", "[cache]") {
  pipeline::test::TempDir dir("cache-upload-range");
  Store store(dir.path);
  auto upload = store.reserve(k_repo, "refs/heads/main", "k", "v1");
  REQUIRE(upload.ok());
  const std::string big(5 << 20, 'x');
  REQUIRE(write_range(*upload, 3, pieces_of(big, 4096)).ok());
  REQUIRE(write_range(*upload, 0, pieces_of("abc", 1)).ok());
  CHECK(read_all(upload->archive()) == "abc" + big);
  REQUIRE(put_blob(*upload, pieces_of("replaced", 3)).ok());
  CHECK(read_all(upload->archive()) == "replaced");
}
