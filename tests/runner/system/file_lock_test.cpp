// FileLock: one holder at a time, never a wait, and no stale lock after its holder dies.
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "support/temp_dir.hpp"
#include "runner/system/file_lock.hpp"

namespace fs = std::filesystem;
using pipeline::runner::FileLock;

using pipeline::test::TempDir;

namespace {

/// Whether a fresh try_lock of `path` gets the lock (and lets go again at once).
bool free_now(const fs::path& path) {
  auto lock = FileLock::try_lock(path);
  REQUIRE(lock);
  return lock->held();
}

}  // namespace

TEST_CASE("a FileLock has one holder and frees on release", "[file_lock]") {
  TempDir dir("lock");
  const fs::path path = dir.path / "key.lock";
  {
    auto first = FileLock::try_lock(path);
    REQUIRE(first);
    CHECK(first->held());
    CHECK(fs::exists(path));
    CHECK_FALSE(free_now(path));  // another open file of the same process contends too
    FileLock moved = std::move(*first);
    CHECK(moved.held());
    CHECK_FALSE(first->held());
    CHECK_FALSE(free_now(path));
  }
  CHECK(free_now(path));
}

TEST_CASE("a FileLock whose holder was killed is free", "[file_lock]") {
  TempDir dir("lock");
  const fs::path path = dir.path / "key.lock";
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  if (child == 0) {
    auto lock = FileLock::try_lock(path);
    const char byte = lock && lock->held() ? 'y' : 'n';
    [[maybe_unused]] auto written = ::write(ready[1], &byte, 1);
    ::pause();
    ::_exit(0);
  }
  char byte = 0;
  REQUIRE(::read(ready[0], &byte, 1) == 1);
  CHECK(byte == 'y');
  CHECK_FALSE(free_now(path));
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  CHECK(free_now(path));
  ::close(ready[0]);
  ::close(ready[1]);
}

TEST_CASE("a lock file deleted by its holder is replaced by a new one", "[file_lock]") {
  TempDir dir("lock");
  const fs::path path = dir.path / "key.lock";
  auto holder = FileLock::try_lock(path);
  REQUIRE(holder);
  REQUIRE(holder->held());
  fs::remove(path);
  // The old file is gone from the path, so its lock no longer guards it.
  CHECK(free_now(path));
  CHECK(fs::exists(path));
}

TEST_CASE("a FileLock that cannot open its file is an error", "[file_lock]") {
  TempDir dir("lock");
  auto lock = FileLock::try_lock(dir.path / "missing" / "key.lock");
  REQUIRE_FALSE(lock);
  CHECK_THAT(lock.error().message, Catch::Contains("cannot open the lock file"));
}
