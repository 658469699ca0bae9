#include "runner/services/prefix_digest.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace pipeline::runner::services;
namespace fs = std::filesystem;

namespace {

constexpr const char* k_hello_world = "sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";

struct TempFile {
  fs::path path = fs::temp_directory_path() / ("pipe-prefix-digest-" + std::to_string(::getpid()));
  explicit TempFile(const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }
  ~TempFile() { fs::remove(path); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
};

}  // namespace

TEST_CASE("the digest advances only over bytes written from the start without a gap", "[services]") {
  TempFile file("hello world");
  PrefixDigest digest;
  digest.written(file.path, 6, 5);  // "world" lands first: nothing before it is known yet
  CHECK(digest.hashed() == 0);
  digest.written(file.path, 0, 6);  // "hello " closes the gap: both are hashed
  CHECK(digest.hashed() == 11);
  CHECK(digest.finish(file.path, 11) == std::optional<std::string>(k_hello_world));
}

TEST_CASE("finish reads what no block reported, and refuses a second call", "[services]") {
  TempFile file("hello world");
  PrefixDigest digest;
  digest.written(file.path, 0, 3);
  CHECK(digest.finish(file.path, 11) == std::optional<std::string>(k_hello_world));
  CHECK_FALSE(digest.finish(file.path, 11));
}

TEST_CASE("a digest past the length asked for, or of a file that cannot be read, is no digest", "[services]") {
  TempFile file("hello world");
  PrefixDigest past;
  past.written(file.path, 0, 11);
  CHECK_FALSE(past.finish(file.path, 5));
  PrefixDigest missing;
  missing.written(file.path.string() + ".gone", 0, 4);
  CHECK_FALSE(missing.finish(file.path, 11));
}

TEST_CASE("blocks reported from many threads in any order give the file's digest", "[services]") {
  std::string bytes;
  for (int i = 0; i < 64 * 1024; ++i) {
    bytes += static_cast<char>('a' + i % 26);
  }
  TempFile file(bytes);
  PrefixDigest digest;
  std::vector<std::thread> threads;
  constexpr int k_blocks = 16;
  const std::int64_t block = static_cast<std::int64_t>(bytes.size()) / k_blocks;
  for (int i = k_blocks - 1; i >= 0; --i) {
    threads.emplace_back([&, i] { digest.written(file.path, i * block, block); });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  CHECK(digest.hashed() == static_cast<std::int64_t>(bytes.size()));
  PrefixDigest reference;
  CHECK(digest.finish(file.path, static_cast<std::int64_t>(bytes.size())) ==
        reference.finish(file.path, static_cast<std::int64_t>(bytes.size())));
}
