// `pipe cache list|rm|prune` through the real binary, on a store filled through the Store API.
#include <catch2/catch.hpp>

#include "runner/cache/store.hpp"
#include "runner/cache/upload.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using namespace pipeline::runner::cache;
using pipeline::test::run_process;

namespace {

void save(Store& store, const std::string& repository, const std::string& key, const std::string& data) {
  auto upload = store.reserve(repository, "refs/heads/main", key, "0123456789abcdef");
  REQUIRE(upload.ok());
  REQUIRE(put_blob(*upload, data).ok());
  REQUIRE(store.commit(repository, std::move(*upload), data.size()).ok());
}

}  // namespace

TEST_CASE("pipe cache list, rm and prune", "[cache][cli]") {
  pipeline::test::TempDir dir("cache-cli");
  Store store(dir.path);
  save(store, "octo/hello", "deps-1", std::string(2048, 'x'));
  save(store, "octo/hello", "deps-2", "y");
  save(store, "octo/other", "tools", "z");
  const std::string root = dir.path.string();

  auto listed = run_process({PIPE_EXE, "cache", "list", "--repo", "octo/hello", "--cache-dir", root});
  CHECK(listed.exit_code == 0);
  CHECK_THAT(listed.out, Catch::StartsWith("octo/hello: 2 entries, 2.0 KB\n"));
  CHECK_THAT(listed.out, Catch::Contains("  deps-1  2.0 KB  refs/heads/main  used "));
  CHECK_THAT(listed.out, Catch::Contains("version 0123456789ab\n"));
  CHECK_THAT(listed.out, !Catch::Contains("tools"));

  auto all = run_process({PIPE_EXE, "cache", "list", "--all", "--cache-dir", root});
  CHECK_THAT(all.out, Catch::Contains("octo/other: 1 entry, 1 B\n  tools  1 B"));

  auto removed = run_process({PIPE_EXE, "cache", "rm", "deps-1", "--repo", "octo/hello", "--cache-dir", root});
  CHECK(removed.exit_code == 0);
  CHECK(removed.out == "removed 1 entry with key 'deps-1' from octo/hello\n");
  auto again = run_process({PIPE_EXE, "cache", "rm", "deps-1", "--repo", "octo/hello", "--cache-dir", root});
  CHECK(again.exit_code == 1);
  CHECK(again.err == "pipe: error: no cache entry with key 'deps-1' in octo/hello\n");

  auto kept = run_process({PIPE_EXE, "cache", "prune", "--cache-dir", root});
  CHECK(kept.out == "removed 0 cache entries and unfinished upload(s) under " + root + "\n");
  auto pruned = run_process({PIPE_EXE, "cache", "prune", "--max-idle-days", "0", "--cache-dir", root});
  CHECK(pruned.out == "removed 2 cache entries and unfinished upload(s) under " + root + "\n");
  CHECK(store.entries("octo/hello").empty());
}
