// inotify on a real directory tree: files written, moved and deleted, directories created after
// the watch began, and directories left unwatched.
#include <catch2/catch.hpp>

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>

#include "runner/watch/inotify_events.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using pipeline::runner::watch::InotifyEvents;
using pipeline::test::TempDir;
using pipeline::test::write_file;

namespace {

/// Every path reported until `marker` is among them (events of one instance arrive in order, so
/// all earlier changes are in by then); a hang guard stops the wait.
std::set<std::string> read_until(InotifyEvents& events, const std::string& marker) {
  std::set<std::string> seen;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (seen.count(marker) == 0 && std::chrono::steady_clock::now() < deadline) {
    pollfd fd{events.fd(), POLLIN, 0};
    if (::poll(&fd, 1, 1000) > 0) {
      for (auto& path : events.read().paths) {
        seen.insert(path);
      }
    }
  }
  return seen;
}

bool no_skip(const std::string&) { return false; }

}  // namespace

TEST_CASE("inotify reports written, moved and deleted files relative to the root", "[watch]") {
  TempDir dir("watch-inotify");
  write_file(dir.path / "src" / "old.c", "old\n");
  write_file(dir.path / "doomed.txt", "x\n");
  auto events = InotifyEvents::open(dir.path, no_skip);
  REQUIRE(events);
  CHECK((*events)->watched() == 2);

  write_file(dir.path / "src" / "main.c", "int main() {}\n");
  fs::rename(dir.path / "src" / "old.c", dir.path / "src" / "new.c");
  fs::remove(dir.path / "doomed.txt");
  write_file(dir.path / "marker", "");
  const auto seen = read_until(**events, "marker");
  CHECK(seen.count("src/main.c") == 1);
  CHECK(seen.count("src/old.c") == 1);
  CHECK(seen.count("src/new.c") == 1);
  CHECK(seen.count("doomed.txt") == 1);
}

TEST_CASE("a directory created while watching is watched, and its files so far are reported", "[watch]") {
  TempDir dir("watch-inotify-new");
  auto events = InotifyEvents::open(dir.path, no_skip);
  REQUIRE(events);
  // Made in one go, as `git checkout` or `cp -r` does: files may exist before the watch does.
  fs::create_directories(dir.path / "lib" / "deep");
  write_file(dir.path / "lib" / "deep" / "first.c", "");
  write_file(dir.path / "marker1", "");
  const auto first = read_until(**events, "marker1");
  CHECK(first.count("lib/deep/first.c") == 1);

  write_file(dir.path / "lib" / "deep" / "second.c", "");
  write_file(dir.path / "lib" / "marker2", "");
  const auto second = read_until(**events, "lib/marker2");
  CHECK(second.count("lib/deep/second.c") == 1);
  CHECK((*events)->watched() == 3);
}

TEST_CASE("skipped directories are not watched, now or when created later", "[watch]") {
  TempDir dir("watch-inotify-skip");
  fs::create_directories(dir.path / "node_modules" / "pkg");
  auto skip = [](const std::string& relative) { return relative == "node_modules" || relative == "build"; };
  auto events = InotifyEvents::open(dir.path, skip);
  REQUIRE(events);
  CHECK((*events)->watched() == 1);
  write_file(dir.path / "node_modules" / "pkg" / "index.js", "");
  fs::create_directories(dir.path / "build" / "obj");
  write_file(dir.path / "build" / "obj" / "a.o", "");
  write_file(dir.path / "marker", "");
  const auto seen = read_until(**events, "marker");
  CHECK(std::none_of(seen.begin(), seen.end(), [](const auto& p) { return p.rfind("node_modules/", 0) == 0; }));
  CHECK(std::none_of(seen.begin(), seen.end(), [](const auto& p) { return p.rfind("build/", 0) == 0; }));
  CHECK((*events)->watched() == 1);
}

TEST_CASE("a root that does not exist is an error that names it", "[watch]") {
  TempDir dir("watch-inotify-missing");
  auto events = InotifyEvents::open(dir.path / "nope", no_skip);
  REQUIRE_FALSE(events);
  CHECK_THAT(events.error().message, Catch::Contains("nope"));
}
