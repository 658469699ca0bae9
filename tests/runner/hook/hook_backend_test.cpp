// Where `pipe hook run` puts its jobs, through the real binary and engine: in containers by
// default, on the host (after one notice) when the engine or an image is not here, and an
// explicit `--backend docker` fails as `pipe run` does instead of falling back.
#include <catch2/catch.hpp>

#include <filesystem>

#include "runner/hook/kept_hook.hpp"
#include "runner/hook/repo_fixture.hpp"
#include "support/docker_engine.hpp"

using pipeline::test::KeptHookCleanup;
using pipeline::test::TempRepo;

namespace {

constexpr const char* k_busybox = "pipe-test/busybox:latest";
constexpr const char* k_no_engine = "DOCKER_HOST=unix:///nonexistent/engine.sock ";

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

/// A repository with jobs `a` and `b` on `ubuntu-latest` (mapped to `image`) that each say where
/// they run: a job container cannot see the repository, so there a job fails (a hook prints the
/// output of failing steps only) saying so; on the host it leaves a marker in the repository.
struct WhereRepo {
  TempRepo repo;
  KeptHookCleanup kept{{repo.dir()}};

  explicit WhereRepo(const std::string& image, const std::string& config = "") {
    repo.write(".pipe.yml", "platforms:\n  ubuntu-latest: " + image + "\n" + config);
    std::string workflow = "on: push\njobs:\n";
    for (const std::string job : {"a", "b"}) {
      workflow += "  " + job + ":\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n" +
                  "          if [ -d '" + repo.dir() + "' ]; then touch '" + repo.dir() + "/" + job +
                  ".on-host'; else echo where=container; exit 1; fi\n";
    }
    repo.write(".github/workflows/where.yml", workflow);
    REQUIRE(repo.sh("git add -A").exit_code == 0);
  }
  [[nodiscard]] bool ran_on_host(const std::string& job) const {
    return std::filesystem::exists(repo.dir() + "/" + job + ".on-host");
  }
};

}  // namespace

TEST_CASE("by default the hook runs its jobs in containers and keeps them for the next commit", "[hook][docker]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  WhereRepo where(k_busybox);
  const auto result = where.repo.sh("$PIPE hook run");
  INFO(result.out + result.err);
  CHECK(result.exit_code == 1);
  CHECK(count(result.out, "\n    where=container\n") == 2);
  CHECK(result.err.empty());
  CHECK_FALSE(where.ran_on_host("a"));
  CHECK(pipeline::test::kept_hook_containers(*client, where.repo.dir()).size() == 2);
}

TEST_CASE("option --no-warm runs the hook's jobs in containers and keeps none", "[hook][docker]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  WhereRepo where(k_busybox);
  const auto result = where.repo.sh("$PIPE hook run --no-warm");
  INFO(result.out + result.err);
  CHECK(result.exit_code == 1);
  CHECK(count(result.out, "\n    where=container\n") == 2);
  CHECK(pipeline::test::kept_hook_containers(*client, where.repo.dir()).empty());
}

TEST_CASE("with no engine answering, the default hook runs its jobs on the host after one notice", "[hook]") {
  WhereRepo where(k_busybox);
  const auto result = where.repo.sh(std::string(k_no_engine) + "$PIPE hook run");
  INFO(result.out + result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.err ==
        "pipe: hook: no container engine at unix:///nonexistent/engine.sock; jobs run on the host "
        "(set hook.backend: host to skip this check)\n");
  CHECK(where.ran_on_host("a"));
  CHECK(where.ran_on_host("b"));
}

TEST_CASE("an image that is not here runs the default hook's jobs on the host after one notice", "[hook][docker]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  WhereRepo where("pipe-test/absent:none");
  const auto result = where.repo.sh("$PIPE hook run");
  INFO(result.out + result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.err ==
        "pipe: hook: image pipe-test/absent:none (jobs a, b) is not present locally, and a hook does not pull; "
        "jobs run on the host (pull it, or set hook.backend: host to skip this check)\n");
  CHECK(where.ran_on_host("a"));
  CHECK(where.ran_on_host("b"));
  CHECK(pipeline::test::kept_hook_containers(*client, where.repo.dir()).empty());
}

TEST_CASE("a container: image that is not here runs the default hook's jobs on the host", "[hook][docker]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  TempRepo repo;
  const KeptHookCleanup kept{{repo.dir()}};
  repo.write(".github/workflows/ci.yml", "on: push\njobs:\n  boxed:\n    runs-on: ubuntu-latest\n"
                                         "    container: pipe-test/absent:none\n    steps:\n"
                                         "      - run: touch '" + repo.dir() + "/boxed.on-host'\n");
  REQUIRE(repo.sh("git add -A").exit_code == 0);
  const auto result = repo.sh("$PIPE hook run");
  INFO(result.out + result.err);
  CHECK(result.exit_code == 0);
  CHECK(count(result.err, "pipe: hook: image pipe-test/absent:none (job boxed) is not present locally") == 1);
  CHECK(std::filesystem::exists(repo.dir() + "/boxed.on-host"));
}

TEST_CASE("an explicit docker backend with no engine fails the hook as pipe run fails", "[hook]") {
  for (const std::string how : {"--backend docker", "--warm", "config"}) {
    INFO(how);
    WhereRepo where(k_busybox, how == "config" ? "hook:\n  backend: docker\n" : "");
    const auto result =
        where.repo.sh(std::string(k_no_engine) + "$PIPE hook run " + (how == "config" ? "" : how));
    INFO(result.out + result.err);
    CHECK(result.exit_code == 1);
    CHECK(count(result.out, "error: cannot connect to the Docker engine at /nonexistent/engine.sock") == 2);
    CHECK(result.err.find("pipe: hook:") == std::string::npos);
    CHECK_FALSE(where.ran_on_host("a"));
  }
}

TEST_CASE("an explicit host backend asks the engine nothing", "[hook]") {
  for (const std::string how : {"--backend host", "config"}) {
    INFO(how);
    WhereRepo where(k_busybox, how == "config" ? "hook:\n  backend: host\n" : "");
    const auto result =
        where.repo.sh(std::string(k_no_engine) + "$PIPE hook run " + (how == "config" ? "" : how));
    INFO(result.out + result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.err.empty());
    CHECK(where.ran_on_host("a"));
  }
}
