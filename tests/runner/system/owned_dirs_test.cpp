// Scratch directories named after their pipe process: leftovers of dead owners are removed.
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.hpp"
#include "runner/system/owned_dirs.hpp"

namespace fs = std::filesystem;
using namespace pipeline::runner;

using pipeline::test::TempDir;

namespace {

/// The pid of a process that has exited and been reaped.
pid_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::_exit(0);
  }
  ::waitpid(pid, nullptr, 0);
  return pid;
}

}  // namespace

TEST_CASE("owned_prefix names this process", "[owned_dirs]") {
  CHECK(owned_prefix("pipe-run-") == "pipe-run-" + std::to_string(::getpid()) + "-");
}

TEST_CASE("remove_orphaned_dirs removes only directories of dead owners", "[owned_dirs]") {
  TempDir root("owned");
  const std::string dead = "pipe-run-" + std::to_string(dead_pid()) + "-20261122-000000-abcd";
  const std::string mine = owned_prefix("pipe-run-") + "20261122-000000-abcd";
  fs::create_directories(root.path / dead / "job-1/temp");
  std::ofstream(root.path / dead / "job-1/temp/script.sh") << "true\n";
  fs::create_directories(root.path / mine);
  fs::create_directories(root.path / "pipe-run-notapid-x");
  fs::create_directories(root.path / "pipe-hook-1-x");  // another prefix
  std::ofstream(root.path / ("pipe-run-" + std::to_string(dead_pid()) + "-file")) << "a file, not a run";

  CHECK(remove_orphaned_dirs(root.path, "pipe-run-", LiveOwners::keep) == 1);
  CHECK_FALSE(fs::exists(root.path / dead));
  CHECK(fs::exists(root.path / mine));
  CHECK(fs::exists(root.path / "pipe-run-notapid-x"));
  CHECK(fs::exists(root.path / "pipe-hook-1-x"));

  CHECK(remove_orphaned_dirs(root.path, "pipe-run-", LiveOwners::remove) == 1);
  CHECK_FALSE(fs::exists(root.path / mine));
  CHECK(remove_orphaned_dirs(root.path / "missing", "pipe-run-", LiveOwners::keep) == 0);
}
