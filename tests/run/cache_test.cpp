// The cache service through the official client: @actions/cache (what actions/cache v4 and v5
// bundle) in a local action, saving in one `pipe run` and restoring in the next, on the host
// and in a job container, over the v2 (twirp) and the v1 (REST) API.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "runner/docker/engine_client.hpp"
#include "support/npm_library.hpp"
#include "support/run_process.hpp"

namespace fs = std::filesystem;
using pipeline::test::ProcessResult;
using pipeline::test::run_process;

namespace {

constexpr const char* k_runner_image = "pipe-test/runner:bookworm";
constexpr const char* k_token_header = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/// Where .ci/setup installs @actions/cache; empty (with the reason in `why`) when it is not there.
std::string npm_dir(std::string& why) {
  return pipeline::test::npm_library("PIPE_TEST_NPM_CACHE", "npm-cache",
                                     {"node_modules/actions-cache-4/lib/cache.js", "node_modules/actions-cache-5/lib/cache.js"},
                                     "@actions/cache", why);
}

/// The same directory, or empty after warning why the test is skipped.
std::string npm_dir_or_warn() {
  std::string why;
  std::string dir = npm_dir(why);
  if (dir.empty()) {
    WARN(why);
  }
  return dir;
}

/// Points the probe action on the host at that directory; false after warning when it is missing.
bool use_npm_on_host() {
  const std::string dir = npm_dir_or_warn();
  if (dir.empty()) {
    return false;
  }
  ::setenv("PIPE_TEST_NPM_CACHE", dir.c_str(), 1);
  return true;
}

std::string workflow(const std::string& library, const std::string& service, const std::string& container) {
  const std::string probe = "library: '" + library + "', service: " + service;
  return R"(name: cache
on: push
jobs:
  cache:
    runs-on: ubuntu-latest
)" + container + R"(    steps:
      - id: exact
        uses: ./.github/actions/cache-probe
        with: {mode: restore, path: data, key: probe-one, )" + probe + R"(}
      - run: echo "exact hit=[${{ steps.exact.outputs.cache-hit }}] content=[$(cat data/a.txt 2>/dev/null)]"
      - id: prefix
        uses: ./.github/actions/cache-probe
        with: {mode: restore, path: data, key: probe-two, restore-keys: "nothing-\nprobe-", )" + probe + R"(}
      - run: echo "prefix hit=[${{ steps.prefix.outputs.cache-hit }}] key=[${{ steps.prefix.outputs.matched-key }}]"
      - uses: ./.github/actions/cache-probe
        with: {mode: restore, path: other-path, key: probe-one, )" + probe + R"(}
      - uses: ./.github/actions/cache-probe
        with: {mode: restore, path: data, key: probe-o, lookup-only: 'true', )" + probe + R"(}
      - run: mkdir -p data && echo "saved by ${{ vars.SAVER }}" > data/a.txt
      - uses: ./.github/actions/cache-probe
        with: {mode: save, path: data, key: probe-one, )" + probe + R"(}
)";
}

/// A scratch git repository (origin on GitHub, branch main) with the probe action and a
/// workflow, and a cache directory of its own; both removed afterwards.
struct CacheRepo {
  fs::path path;
  fs::path cache_dir;
  CacheRepo(const std::string& name, const std::string& text) {
    path = fs::temp_directory_path() / ("pipe-cache-" + name + "-" + std::to_string(::getpid()));
    cache_dir = path.string() + "-store";
    fs::remove_all(path);
    fs::remove_all(cache_dir);
    fs::create_directories(path);
    fs::copy(fs::path(PIPE_FIXTURES_DIR) / "cache" / ".github", path / ".github", fs::copy_options::recursive);
    std::ofstream(path / "workflow.yml") << text;
    std::ofstream(path / ".gitignore") << ".pipe/\ndata/\n";
  }
  ~CacheRepo() {
    fs::remove_all(path);
    fs::remove_all(cache_dir);
  }
  CacheRepo(const CacheRepo&) = delete;
  CacheRepo& operator=(const CacheRepo&) = delete;

  /// Makes it a repository with one commit; apart from the constructor, so a failure here still
  /// leaves the destructor to clean up.
  void init() const {
    git({"init", "-q", "-b", "main"});
    git({"remote", "add", "origin", "https://github.com/octo/cache-test.git"});
    git({"add", "-A"});
    commit("probe");
  }

  /// Commits what is staged, as a fixed author.
  void commit(const std::string& message) const {
    git({"-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", message});
  }

  void git(std::vector<std::string> args) const {
    args.insert(args.begin(), "/usr/bin/git");
    const auto result = run_process(args, path.string());
    INFO(result.out + result.err);
    REQUIRE(result.exit_code == 0);
  }

  [[nodiscard]] ProcessResult run(const std::string& saver, std::vector<std::string> extra = {}) const {
    std::vector<std::string> argv{PIPE_EXE, "run", "--cache-dir", cache_dir.string(), "--var", "SAVER=" + saver};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("workflow.yml");
    return run_process(argv, path.string());
  }
};

std::string output_of(const ProcessResult& result) {
  std::string output = result.out + result.err;
  return output;
}

/// Two runs: the first misses and saves, the second restores by key and by prefix, finds
/// nothing for other paths, and is refused a second save of the same key.
void check_save_then_restore(const CacheRepo& repo, const std::vector<std::string>& extra, bool v2) {
  const auto first = repo.run("first", extra);
  {
    const std::string output = output_of(first);
    INFO(output);
    REQUIRE(first.exit_code == 0);
    CHECK_THAT(output, Catch::Contains("exact hit=[false] content=[]"));
    CHECK_THAT(output, Catch::Contains("probe restore probe-two: matched=[]"));
    CHECK_THAT(output, Catch::Contains("probe save probe-one: saved=[true]"));
    CHECK(output.find(k_token_header) == std::string::npos);
  }
  const auto second = repo.run("second", extra);
  const std::string output = output_of(second);
  INFO(output);
  REQUIRE(second.exit_code == 0);
  CHECK_THAT(output, Catch::Contains("exact hit=[true] content=[saved by first]"));
  if (v2) {  // only the v2 client says so
    CHECK_THAT(output, Catch::Contains("Cache hit for restore-key: probe-one"));
  }
  CHECK_THAT(output, Catch::Contains("prefix hit=[false] key=[probe-one]"));
  CHECK_THAT(output, Catch::Contains("probe restore probe-one: matched=[]"));  // other paths: another version
  CHECK_THAT(output, Catch::Contains("probe restore probe-o: matched=[probe-one]"));
  CHECK_THAT(output, Catch::Contains("probe save probe-one: saved=[false]"));
  CHECK(output.find(k_token_header) == std::string::npos);

  const auto listed = run_process({PIPE_EXE, "cache", "list", "--cache-dir", repo.cache_dir.string()},
                                  repo.path.string());
  INFO(listed.out + listed.err);
  CHECK_THAT(listed.out, Catch::StartsWith("octo/cache-test: 1 entry"));
  CHECK_THAT(listed.out, Catch::Contains("  probe-one  "));
  CHECK_THAT(listed.out, Catch::Contains("  refs/heads/main  "));
}

bool have_runner_image() {
  auto client = pipeline::runner::docker::EngineClient::connect_from_environment();
  if (!client) {
    return false;
  }
  auto exists = (*client)->image_exists(k_runner_image);
  return exists && *exists;
}

}  // namespace

TEST_CASE("actions/cache v4's library saves and restores over the v2 API on the host", "[run][cache]") {
  if (!use_npm_on_host()) {
    return;
  }
  CacheRepo repo("v2-host", workflow("4", "v2", ""));
  repo.init();
  check_save_then_restore(repo, {"--backend", "host"}, true);
}

TEST_CASE("actions/cache v5's library saves and restores over the v1 API on the host", "[run][cache]") {
  if (!use_npm_on_host()) {
    return;
  }
  CacheRepo repo("v1-host", workflow("5", "v1", ""));
  repo.init();
  check_save_then_restore(repo, {"--backend", "host"}, false);
}

TEST_CASE("a container job saves and restores through the cache service", "[run][cache][docker]") {
  const std::string npm = npm_dir_or_warn();
  if (npm.empty()) {
    return;
  }
  if (!have_runner_image()) {
    WARN("skipped: no Docker engine with " << k_runner_image << " (.ci/setup builds it)");
    return;
  }
  CacheRepo repo("v2-container", workflow("5", "v2", std::string("    container: ") + k_runner_image + "\n"));
  repo.init();
  check_save_then_restore(repo, {"--backend", "docker", "-P", "ubuntu-latest=host", "--container-options",
                                 "-v " + npm + ":/__npm-cache:ro"},
                          true);
}

TEST_CASE("a branch restores the default branch's cache and keeps its own apart", "[run][cache]") {
  if (!use_npm_on_host()) {
    return;
  }
  CacheRepo repo("scopes", workflow("4", "v2", ""));
  repo.init();
  REQUIRE(repo.run("main", {"--backend", "host"}).exit_code == 0);

  repo.git({"checkout", "-q", "-b", "feature"});
  std::ofstream(repo.path / "feature.txt") << "a commit of its own, so the branch moves\n";
  repo.git({"add", "feature.txt"});
  repo.commit("feature");
  auto feature = repo.run("feature", {"--backend", "host"});
  std::string output = output_of(feature);
  INFO(output);
  CHECK_THAT(output, Catch::Contains("exact hit=[true] content=[saved by main]"));
  CHECK_THAT(output, Catch::Contains("probe save probe-one: saved=[true]"));  // a new entry, scoped to feature
  feature = repo.run("feature-again", {"--backend", "host"});
  CHECK_THAT(output_of(feature), Catch::Contains("exact hit=[true] content=[saved by feature]"));

  repo.git({"checkout", "-q", "main"});
  repo.git({"checkout", "-q", "-b", "other"});
  const auto other = repo.run("other", {"--backend", "host"});
  CHECK_THAT(output_of(other), Catch::Contains("exact hit=[true] content=[saved by main]"));
}
