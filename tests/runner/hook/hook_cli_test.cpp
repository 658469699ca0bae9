// `pipe hook` through the real binary and real `git commit` / `git push`. The jobs run where the
// hook puts them by default: in containers kept between commits when the engine and the image
// are here (each test removes its own), else on the host.
#include <catch2/catch.hpp>

#include "runner/hook/kept_hook.hpp"
#include "runner/hook/repo_fixture.hpp"

using pipeline::test::k_lint_workflow;
using pipeline::test::KeptHookCleanup;
using pipeline::test::TempRepo;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void seed(const TempRepo& repo) {
  repo.write(".github/workflows/lint.yml", k_lint_workflow);
  repo.write("src/main.c", "int main() { return 0; }\n");
  repo.write("README.md", "readme\n");
  REQUIRE(repo.sh("git add -A && git commit -qm init").exit_code == 0);
}

}  // namespace

TEST_CASE("the pre-commit hook checks exactly what is staged", "[hook]") {
  TempRepo repo;
  seed(repo);
  const KeptHookCleanup kept{{repo.dir()}};
  const auto installed = repo.sh("$PIPE hook install");
  REQUIRE(installed.exit_code == 0);
  CHECK(contains(installed.out, "installed"));

  // A breaking change is staged while the fix sits unstaged in the tree: the commit is refused.
  repo.write("src/main.c", "BAD\n");
  REQUIRE(repo.sh("git add src/main.c").exit_code == 0);
  repo.write("src/main.c", "int main() { return 1; }\n");
  const auto refused = repo.sh("git commit -m broken");
  CHECK(refused.exit_code != 0);
  CHECK(contains(refused.out + refused.err, "✗ lint"));
  CHECK(contains(refused.out + refused.err, "lint: BAD found"));
  CHECK(repo.commit_count() == 1);
  // The user's tree was never touched.
  CHECK(repo.read("src/main.c") == "int main() { return 1; }\n");

  // Staging the fix lets the commit land, with one line for the job.
  REQUIRE(repo.sh("git add src/main.c").exit_code == 0);
  const auto landed = repo.sh("git commit -m fixed");
  CHECK(landed.exit_code == 0);
  CHECK(contains(landed.out + landed.err, "✓ lint"));
  CHECK(repo.commit_count() == 2);

  // An untracked breaking file is not part of the commit, so it is not seen.
  repo.write("src/untracked.c", "BAD\n");
  repo.write("src/main.c", "int main() { return 2; }\n");
  REQUIRE(repo.sh("git add src/main.c").exit_code == 0);
  CHECK(repo.sh("git commit -qm again").exit_code == 0);
  CHECK(repo.commit_count() == 3);
  CHECK(repo.sh("git status --porcelain").out == "?? src/untracked.c\n");
}

TEST_CASE("a commit of files no workflow filter matches skips the jobs at once", "[hook]") {
  TempRepo repo;
  seed(repo);
  const KeptHookCleanup kept{{repo.dir()}};
  repo.write("README.md", "more\n");
  REQUIRE(repo.sh("git add README.md").exit_code == 0);
  const auto result = repo.sh("$PIPE hook run");
  CHECK(result.exit_code == 0);
  CHECK(result.out == "- lint (skipped: no changed file matches paths 'src/**')\n");
  // No run was prepared at all (bench/bench_hook.sh measures how fast this answer is).
  CHECK_FALSE(std::filesystem::exists(repo.dir() + "/.pipe"));
}

TEST_CASE("PIPE_SKIP=1 skips the hook", "[hook]") {
  TempRepo repo;
  seed(repo);
  const KeptHookCleanup kept{{repo.dir()}};
  REQUIRE(repo.sh("$PIPE hook install").exit_code == 0);
  repo.write("src/main.c", "BAD\n");
  REQUIRE(repo.sh("git add src/main.c").exit_code == 0);
  const auto result = repo.sh("PIPE_SKIP=1 git commit -qm skipped");
  CHECK(result.exit_code == 0);
  CHECK(contains(result.err, "PIPE_SKIP"));
  CHECK(repo.commit_count() == 2);
}

TEST_CASE("an existing hook is chained, runs first, and uninstall restores it", "[hook]") {
  TempRepo repo;
  seed(repo);
  const KeptHookCleanup kept{{repo.dir()}};
  const std::string original = "#!/bin/sh\necho chained-ran >> chained.log\n";
  repo.write(".git/hooks/pre-commit", original);
  REQUIRE(repo.sh("chmod +x .git/hooks/pre-commit").exit_code == 0);
  const auto installed = repo.sh("$PIPE hook install --jobs lint");
  REQUIRE(installed.exit_code == 0);
  CHECK(contains(installed.out, "pre-commit.pipe-chained"));
  CHECK(repo.read(".git/hooks/pre-commit.pipe-chained") == original);

  const auto status = repo.sh("$PIPE hook status");
  CHECK(contains(status.out, "pre-commit: pipe, jobs lint"));
  CHECK(contains(status.out, "chains pre-commit.pipe-chained"));
  CHECK(contains(status.out, "pre-push: not installed"));

  // Installing again replaces pipe's own script, never chains it to itself.
  REQUIRE(repo.sh("$PIPE hook install --jobs lint").exit_code == 0);
  CHECK(repo.read(".git/hooks/pre-commit.pipe-chained") == original);

  repo.write("src/main.c", "int x;\n");
  REQUIRE(repo.sh("git add src/main.c && git commit -qm change").exit_code == 0);
  CHECK(repo.read("chained.log") == "chained-ran\n");

  // A failing chained hook blocks the commit before pipe runs.
  repo.write(".git/hooks/pre-commit.pipe-chained", "#!/bin/sh\necho no >&2; exit 3\n");
  repo.write("src/main.c", "int y;\n");
  CHECK(repo.sh("git add src/main.c && git commit -qm blocked").exit_code != 0);

  repo.write(".git/hooks/pre-commit.pipe-chained", original);
  const auto removed = repo.sh("$PIPE hook uninstall");
  CHECK(removed.exit_code == 0);
  CHECK(repo.read(".git/hooks/pre-commit") == original);
  CHECK_FALSE(std::filesystem::exists(repo.dir() + "/.git/hooks/pre-commit.pipe-chained"));
}

TEST_CASE("core.hooksPath is where the hook goes", "[hook]") {
  TempRepo repo;
  seed(repo);
  const KeptHookCleanup kept{{repo.dir()}};
  REQUIRE(repo.sh("git config core.hooksPath .githooks").exit_code == 0);
  REQUIRE(repo.sh("$PIPE hook install").exit_code == 0);
  CHECK(std::filesystem::exists(repo.dir() + "/.githooks/pre-commit"));
  CHECK_FALSE(std::filesystem::exists(repo.dir() + "/.git/hooks/pre-commit"));
  repo.write("src/main.c", "BAD\n");
  CHECK(repo.sh("git add src/main.c && git commit -qm broken").exit_code != 0);
}

TEST_CASE("hook.jobs in .pipe.yml chooses the jobs", "[hook]") {
  TempRepo repo;
  seed(repo);
  const KeptHookCleanup kept{{repo.dir()}};
  repo.write(".github/workflows/other.yml",
             "on: push\njobs:\n  other:\n    runs-on: ubuntu-latest\n    steps:\n      - run: exit 1\n");
  repo.write(".pipe.yml", "hook:\n  jobs: [lint]\n");
  repo.write("src/main.c", "int z;\n");
  REQUIRE(repo.sh("git add -A").exit_code == 0);
  const auto result = repo.sh("$PIPE hook run");
  CHECK(result.exit_code == 0);
  CHECK(contains(result.out, "✓ lint"));
  CHECK_FALSE(contains(result.out, "other"));
  const auto all = repo.sh("$PIPE hook run --jobs other");
  CHECK(all.exit_code == 1);
  CHECK(contains(all.out, "✗ other"));
}

TEST_CASE("the pre-push hook checks the commits being pushed", "[hook]") {
  TempRepo holder;
  const std::string remote = holder.dir() + "/remote.git";
  REQUIRE(holder.sh("git init -q --bare -b main remote.git").exit_code == 0);
  TempRepo repo;
  seed(repo);
  const KeptHookCleanup kept{{repo.dir()}};
  REQUIRE(repo.sh("git remote add origin '" + remote + "' && git push -q origin main").exit_code == 0);
  REQUIRE(repo.sh("$PIPE hook install --stage pre-push").exit_code == 0);

  repo.write("src/main.c", "BAD\n");
  REQUIRE(repo.sh("git commit -qam broken --no-verify").exit_code == 0);
  // The work tree is fixed but not committed: the push still carries the broken commit.
  repo.write("src/main.c", "int fine;\n");
  const auto refused = repo.sh("git push -q origin main");
  CHECK(refused.exit_code != 0);
  CHECK(contains(refused.out + refused.err, "✗ lint"));

  REQUIRE(repo.sh("git commit -qam fixed --no-verify").exit_code == 0);
  const auto pushed = repo.sh("git push -q origin main");
  CHECK(pushed.exit_code == 0);
  CHECK(contains(pushed.out + pushed.err, "✓ lint"));

  // A new branch touching only README: no job runs.
  REQUIRE(repo.sh("git checkout -qb docs && echo more >> README.md && git commit -qam docs").exit_code == 0);
  const auto docs = repo.sh("git push -q origin docs");
  CHECK(docs.exit_code == 0);
  CHECK(contains(docs.out + docs.err, "- lint (skipped"));
}

TEST_CASE("a linked worktree shares the hook and checks its own index", "[hook]") {
  TempRepo repo;
  seed(repo);
  const KeptHookCleanup kept{{repo.dir(), repo.dir() + "/linked"}};
  REQUIRE(repo.sh("$PIPE hook install").exit_code == 0);
  REQUIRE(repo.sh("git worktree add -q linked -b side").exit_code == 0);
  const std::string linked = repo.dir() + "/linked";
  const auto status = repo.sh("cd linked && $PIPE hook status");
  CHECK(contains(status.out, "hooks directory: " + repo.dir() + "/.git/hooks"));
  CHECK(contains(status.out, "pre-commit: pipe"));
  // A breaking change staged in the linked worktree is refused; the main one's index is clean.
  repo.write("linked/src/main.c", "BAD\n");
  const auto refused = repo.sh("cd linked && git add src/main.c && git commit -qm broken");
  CHECK(refused.exit_code != 0);
  CHECK(contains(refused.out + refused.err, "✗ lint"));
  CHECK(repo.sh("$PIPE hook run").exit_code == 0);
}

TEST_CASE("git commit -a and git commit <path> are checked on the index git builds for them", "[hook]") {
  TempRepo repo;
  seed(repo);
  const KeptHookCleanup kept{{repo.dir()}};
  REQUIRE(repo.sh("$PIPE hook install").exit_code == 0);
  repo.write("src/main.c", "BAD\n");
  const auto all = repo.sh("git commit -qam broken");
  CHECK(all.exit_code != 0);
  CHECK(contains(all.out + all.err, "✗ lint"));
  const auto path = repo.sh("git commit -qm broken src/main.c");
  CHECK(path.exit_code != 0);
  CHECK(repo.commit_count() == 1);
  repo.write("src/main.c", "int ok;\n");
  CHECK(repo.sh("git commit -qam fine").exit_code == 0);
  CHECK(repo.commit_count() == 2);
}

TEST_CASE("a repository named by GIT_DIR and GIT_WORK_TREE (a bare repository with a work tree)", "[hook]") {
  TempRepo holder;
  const KeptHookCleanup kept{{holder.dir() + "/tree"}};
  REQUIRE(holder.sh("git init -q --bare -b main store.git && mkdir tree").exit_code == 0);
  const std::string git =
      "git --git-dir='" + holder.dir() + "/store.git' --work-tree='" + holder.dir() + "/tree' ";
  holder.write("tree/.github/workflows/lint.yml", k_lint_workflow);
  holder.write("tree/src/main.c", "int x;\n");
  REQUIRE(holder.sh(git + "-c user.name=t -c user.email=t@t add -A && " + git +
                    "-c user.name=t -c user.email=t@t commit -qm init")
              .exit_code == 0);
  REQUIRE(holder.sh("cd tree && GIT_DIR=../store.git $PIPE hook install").exit_code == 0);
  CHECK(std::filesystem::exists(holder.dir() + "/store.git/hooks/pre-commit"));
  holder.write("tree/src/main.c", "BAD\n");
  const auto refused = holder.sh("cd tree && " + git + "-c user.name=t -c user.email=t@t commit -qam broken");
  INFO(refused.out + refused.err);
  CHECK(refused.exit_code != 0);
  CHECK(contains(refused.out + refused.err, "✗ lint"));
}
