#include "runner/cache/entry.hpp"

#include <catch2/catch.hpp>

using namespace pipeline::runner::cache;

namespace {

CacheEntry entry(std::string id, std::string key, std::string scope, std::int64_t created, std::string version = "v1") {
  return CacheEntry{std::move(id), std::move(key), std::move(version), std::move(scope), 1, created, created};
}

std::string matched_id(const std::vector<CacheEntry>& entries, std::vector<std::string> keys,
                       std::vector<std::string> scopes, std::string version = "v1") {
  auto found = find_match(entries, Lookup{std::move(keys), std::move(version), std::move(scopes)});
  return found ? found->id : "<miss>";
}

}  // namespace

TEST_CASE("readable_scopes: own ref, then the base branch, then the default branch", "[cache]") {
  CHECK(readable_scopes("refs/heads/feature", "", "main") ==
        std::vector<std::string>{"refs/heads/feature", "refs/heads/main"});
  CHECK(readable_scopes("refs/pull/7/merge", "release", "main") ==
        std::vector<std::string>{"refs/pull/7/merge", "refs/heads/release", "refs/heads/main"});
  CHECK(readable_scopes("refs/heads/main", "", "main") == std::vector<std::string>{"refs/heads/main"});
  CHECK(readable_scopes("refs/tags/v1", "", "") == std::vector<std::string>{"refs/tags/v1"});
}

TEST_CASE("find_match follows GitHub's order", "[cache]") {
  const std::string main = "refs/heads/main";
  const std::string feature = "refs/heads/feature";
  const std::vector<CacheEntry> entries = {
      entry("a", "npm-linux-abc", main, 10),     entry("b", "npm-linux-def", main, 20),
      entry("c", "npm-linux-", main, 5),         entry("d", "npm-linux-xyz", feature, 1),
      entry("e", "npm-linux-abc", main, 30, "v2"), entry("f", "other", "refs/heads/other", 40),
  };
  SECTION("an exact key wins over newer prefix matches") {
    CHECK(matched_id(entries, {"npm-linux-abc"}, {main}) == "a");
    CHECK(matched_id(entries, {"npm-linux-"}, {main}) == "c");
  }
  SECTION("without an exact key, the newest entry the key is a prefix of") {
    CHECK(matched_id(entries, {"npm-linux"}, {main}) == "b");
    CHECK(matched_id(entries, {"nope", "npm-"}, {main}) == "b");
  }
  SECTION("keys are tried in order before the next scope") {
    CHECK(matched_id(entries, {"npm-linux-abc", "npm-"}, {feature, main}) == "d");
    CHECK(matched_id(entries, {"npm-linux-abc"}, {feature, main}) == "a");
  }
  SECTION("the version must be equal") {
    CHECK(matched_id(entries, {"npm-linux-abc"}, {main}, "v2") == "e");
    CHECK(matched_id(entries, {"npm-"}, {main}, "v3") == "<miss>");
  }
  SECTION("another branch's entries are out of reach") {
    CHECK(matched_id(entries, {"other"}, {feature, main}) == "<miss>");
    CHECK(matched_id(entries, {"npm-linux-xyz"}, {main}) == "<miss>");
  }
}

TEST_CASE("evictions drop the least recently used until the rest fit", "[cache]") {
  std::vector<CacheEntry> entries = {entry("old", "k1", "s", 1), entry("new", "k2", "s", 3),
                                     entry("mid", "k3", "s", 2)};
  for (auto& e : entries) {
    e.size = 40;
  }
  CHECK(evictions(entries, 120).empty());
  CHECK(evictions(entries, 100) == std::vector<std::string>{"old"});
  CHECK(evictions(entries, 79) == std::vector<std::string>{"old", "mid"});
}
