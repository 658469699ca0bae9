// The ignore rules against a real repository: git's own rules through libgit2, plus what pipe
// writes itself.
#include <catch2/catch.hpp>

#include <filesystem>

#include "runner/watch/ignore_rules.hpp"
#include "support/files.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using pipeline::runner::watch::IgnoreRules;
using pipeline::runner::watch::relative_inside;
using pipeline::test::run_process;
using pipeline::test::TempDir;
using pipeline::test::write_file;

namespace {

void git_init(const fs::path& dir) {
  REQUIRE(run_process({"/usr/bin/git", "init", "-q", dir.string()}).exit_code == 0);
}

}  // namespace

TEST_CASE("git's ignore rules, .git and pipe's outputs are ignored; everything else counts", "[watch]") {
  TempDir repo("watch-ignore");
  git_init(repo.path);
  write_file(repo.path / ".gitignore", "*.log\nbuild/\n/out\n");
  write_file(repo.path / "sub" / ".gitignore", "generated.c\n");
  write_file(repo.path / ".git" / "info" / "exclude", "secret.txt\n");
  fs::create_directories(repo.path / "build");
  const IgnoreRules rules(repo.path, {"reports/junit.xml"});

  CHECK(rules.ignored(".git"));
  CHECK(rules.ignored(".git/index"));
  CHECK(rules.ignored("vendor/lib/.git/HEAD"));
  CHECK(rules.ignored(".pipe/runs/1/run.json"));
  CHECK(rules.ignored("reports/junit.xml"));
  CHECK(rules.ignored("a.log"));
  CHECK(rules.ignored("src/deep/b.log"));
  CHECK(rules.ignored("build", true));
  CHECK(rules.ignored("build/x.o"));
  CHECK(rules.ignored("out"));
  CHECK(rules.ignored("sub/generated.c"));
  CHECK(rules.ignored("secret.txt"));

  CHECK_FALSE(rules.ignored("src/main.c"));
  CHECK_FALSE(rules.ignored("src", true));
  CHECK_FALSE(rules.ignored("generated.c"));
  CHECK_FALSE(rules.ignored("src/out"));
  CHECK_FALSE(rules.ignored("reports/other.xml"));
  CHECK_FALSE(rules.ignored(".github/workflows/ci.yml"));
  CHECK_FALSE(rules.ignored(".gitignore"));
  CHECK(rules.repository_path("src/main.c") == "src/main.c");
}

TEST_CASE("a watched folder inside the work tree names paths from the work tree's top", "[watch]") {
  TempDir repo("watch-ignore-sub");
  git_init(repo.path);
  write_file(repo.path / ".gitignore", "app/*.tmp\n");
  fs::create_directories(repo.path / "app");
  const IgnoreRules rules(repo.path / "app", {});
  CHECK(rules.ignored("x.tmp"));
  CHECK_FALSE(rules.ignored("x.c"));
  CHECK(rules.repository_path("x.c") == "app/x.c");
}

TEST_CASE("outside a repository only .git and pipe's outputs are ignored", "[watch]") {
  TempDir dir("watch-ignore-norepo");
  const IgnoreRules rules(dir.path, {});
  CHECK(rules.ignored(".pipe"));
  CHECK_FALSE(rules.ignored("a.log"));
  CHECK(rules.repository_path("a.log") == "a.log");
}

TEST_CASE("relative_inside names a path under the root, and nothing outside it", "[watch]") {
  TempDir dir("watch-inside");
  CHECK(relative_inside(dir.path, dir.path / "a" / "b.xml") == "a/b.xml");
  CHECK(relative_inside(dir.path, dir.path).empty());
  CHECK(relative_inside(dir.path, dir.path.parent_path() / "elsewhere").empty());
}
