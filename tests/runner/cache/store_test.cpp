#include "runner/cache/store.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "runner/cache/upload.hpp"
#include "support/temp_dir.hpp"

using namespace pipeline::runner::cache;
namespace fs = std::filesystem;

namespace {

const std::string k_repo = "octo/hello";
const std::string k_main = "refs/heads/main";

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

CacheEntry save(Store& store, const std::string& key, const std::string& data, const std::string& scope = k_main) {
  auto upload = store.reserve(k_repo, scope, key, "v1");
  REQUIRE(upload.ok());
  REQUIRE(put_blob(*upload, data).ok());
  auto entry = store.commit(k_repo, std::move(*upload), data.size());
  REQUIRE(entry.ok());
  return *entry;
}

Lookup lookup(std::vector<std::string> keys) { return Lookup{std::move(keys), "v1", {k_main}}; }

}  // namespace

TEST_CASE("default_root: XDG_CACHE_HOME, else ~/.cache", "[cache]") {
  auto env = [](std::map<std::string, std::string> vars) {
    return [vars](std::string_view name) -> std::optional<std::string> {
      auto it = vars.find(std::string(name));
      return it == vars.end() ? std::nullopt : std::optional(it->second);
    };
  };
  CHECK(default_root(env({{"HOME", "/home/u"}})) == "/home/u/.cache/pipe/actions-cache");
  CHECK(default_root(env({{"HOME", "/home/u"}, {"XDG_CACHE_HOME", "/c"}})) == "/c/pipe/actions-cache");
}

TEST_CASE("Store: a committed entry is restored by key and by prefix", "[cache]") {
  pipeline::test::TempDir dir("cache-store");
  Store store(dir.path);
  const CacheEntry saved = save(store, "deps-abc", "archive bytes");
  CHECK(saved.size == 13);

  auto exact = store.restore(k_repo, lookup({"deps-abc"}));
  REQUIRE(exact);
  CHECK(read_all(store.archive(k_repo, exact->id)) == "archive bytes");
  REQUIRE(store.restore(k_repo, lookup({"deps-xyz", "deps-"})));
  CHECK_FALSE(store.restore(k_repo, lookup({"other"})));
  CHECK_FALSE(store.restore("octo/other-repo", lookup({"deps-abc"})));
  CHECK(store.repositories() == std::vector<std::string>{k_repo});
}

TEST_CASE("Store: entries are immutable and one upload at a time", "[cache]") {
  pipeline::test::TempDir dir("cache-immutable");
  Store store(dir.path);
  save(store, "k", "first");
  auto again = store.reserve(k_repo, k_main, "k", "v1");
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().message == "cache entry with the same key, version, and scope already exists");
  CHECK(store.reserve(k_repo, "refs/heads/other", "k", "v1").ok());  // another scope is another entry

  auto first = store.reserve(k_repo, k_main, "k2", "v1");
  REQUIRE(first.ok());
  auto second = store.reserve(k_repo, k_main, "k2", "v1");
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().message.find("already uploading") != std::string::npos);
}

TEST_CASE("Store: an upload is invisible until committed, and gone when dropped", "[cache]") {
  pipeline::test::TempDir dir("cache-atomic");
  Store store(dir.path);
  {
    auto upload = store.reserve(k_repo, k_main, "half", "v1");
    REQUIRE(upload.ok());
    REQUIRE(write_range(*upload, 0, "only the first chunk").ok());
    CHECK_FALSE(store.restore(k_repo, lookup({"half"})));
  }
  CHECK_FALSE(store.restore(k_repo, lookup({"half"})));
  CHECK(store.entries(k_repo).empty());
  CHECK(store.reserve(k_repo, k_main, "half", "v1").ok());
}

TEST_CASE("Store: a size that does not match the upload is refused", "[cache]") {
  pipeline::test::TempDir dir("cache-size");
  Store store(dir.path);
  auto upload = store.reserve(k_repo, k_main, "k", "v1");
  REQUIRE(upload.ok());
  REQUIRE(write_range(*upload, 5, "world").ok());
  REQUIRE(write_range(*upload, 0, "hello").ok());
  auto wrong = store.commit(k_repo, std::move(*upload), 11);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().message == "the upload holds 10 bytes, not the 11 announced");
  CHECK(store.entries(k_repo).empty());
}

TEST_CASE("Store: blocks assemble in the listed order", "[cache]") {
  pipeline::test::TempDir dir("cache-blocks");
  Store store(dir.path);
  auto upload = store.reserve(k_repo, k_main, "k", "v1");
  REQUIRE(upload.ok());
  BlockLayout blocks;
  REQUIRE(blocks.put_block(*upload, "QUFB", "second ").ok());
  REQUIRE(blocks.put_block(*upload, "QkJC/+==", "first ").ok());
  CHECK_FALSE(blocks.commit(*upload, {"QkJC/+==", "nope"}).ok());
  REQUIRE(blocks.commit(*upload, {"QkJC/+==", "QUFB"}).ok());
  auto entry = store.commit(k_repo, std::move(*upload), std::nullopt);
  REQUIRE(entry.ok());
  CHECK(read_all(store.archive(k_repo, entry->id)) == "first second ");
}

TEST_CASE("Store: over the limit, the least recently used entry goes", "[cache]") {
  pipeline::test::TempDir dir("cache-lru");
  Store store(dir.path, 10);
  save(store, "a", "aaaa");
  save(store, "b", "bbbb");
  REQUIRE(store.restore(k_repo, lookup({"a"})));  // a is now more recent than b
  save(store, "c", "cccc");
  CHECK(store.restore(k_repo, lookup({"a"})));
  CHECK_FALSE(store.restore(k_repo, lookup({"b"})));
  CHECK(store.restore(k_repo, lookup({"c"})));
}

TEST_CASE("Store: remove and prune", "[cache]") {
  pipeline::test::TempDir dir("cache-prune");
  Store store(dir.path);
  save(store, "a", "1");
  save(store, "b", "2");
  CHECK(store.remove(k_repo, "a") == 1);
  CHECK(store.remove(k_repo, "a") == 0);
  // What a killed upload leaves: a staging folder whose lock nobody holds.
  fs::create_directories(dir.path / "octo%2Fhello" / "staging" / "deadbeef");
  CHECK(store.prune(std::chrono::hours(24 * 7)) == 1);
  CHECK_FALSE(fs::exists(dir.path / "octo%2Fhello" / "staging" / "deadbeef"));
  CHECK(store.entries(k_repo).size() == 1);
  CHECK(store.prune(std::chrono::nanoseconds(0)) == 1);
  CHECK(store.entries(k_repo).empty());
}

TEST_CASE("upload helpers parse what the clients send", "[cache]") {
  CHECK(parse_block_list(R"(<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>AA==</Latest>)"
                         R"(<Latest>AQ==</Latest></BlockList>)") == std::vector<std::string>{"AA==", "AQ=="});
  CHECK(content_range_start("bytes 0-199/*") == 0u);
  CHECK(content_range_start("bytes 33554432-67108863/*") == 33554432u);
  CHECK_FALSE(content_range_start("bytes */100"));
  CHECK_FALSE(content_range_start("items 0-1/*"));
}
