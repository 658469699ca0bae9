// Where the hook's export goes: the first candidate with room, the user's TMPDIR first.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "runner/hook/scratch_dir.hpp"
#include "support/scoped_env.hpp"

namespace fs = std::filesystem;
using namespace pipeline::runner::hook;

using pipeline::test::ScopedEnv;

namespace {

/// Sets an environment variable for the scope of a test and restores it after.
}  // namespace

TEST_CASE("a TMPDIR the user set is the only scratch candidate", "[hook]") {
  ScopedEnv tmpdir("TMPDIR", "/var/tmp");
  CHECK(scratch_candidates() == std::vector<fs::path>{"/var/tmp"});
}

TEST_CASE("without TMPDIR memory-backed directories come before /tmp", "[hook]") {
  ScopedEnv tmpdir("TMPDIR", std::nullopt);
  ScopedEnv runtime("XDG_RUNTIME_DIR", "/run/user/1000");
  CHECK(scratch_candidates() == std::vector<fs::path>{"/run/user/1000", "/dev/shm", "/tmp"});
  ScopedEnv no_runtime("XDG_RUNTIME_DIR", std::nullopt);
  CHECK(scratch_candidates() == std::vector<fs::path>{"/dev/shm", "/tmp"});
}

TEST_CASE("the first candidate that exists, is writable and has room is chosen", "[hook]") {
  const fs::path missing = "/nonexistent/pipe-scratch";
  CHECK(choose_scratch_parent({missing, "/tmp"}, 0) == "/tmp");
  CHECK(choose_scratch_parent({"/tmp", missing}, 0) == "/tmp");
  // Nothing has room for an exabyte: the last candidate is the fallback.
  CHECK(choose_scratch_parent({"/tmp", missing}, std::uint64_t{1} << 60) == missing);
}

TEST_CASE("a scratch directory is made fresh and removed with its contents", "[hook]") {
  fs::path made;
  {
    ScratchDir dir(0);
    REQUIRE_FALSE(dir.path().empty());
    made = dir.path();
    CHECK(made.filename().string().rfind("pipe-hook-", 0) == 0);
    fs::create_directories(made / "a/b");
    { std::ofstream(made / "a/b/file") << "x"; }
  }
  CHECK_FALSE(fs::exists(made));
}
