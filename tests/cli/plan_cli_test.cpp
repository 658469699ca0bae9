// `pipe run --dry-run` and `pipe graph` show the jobs of called workflows, fetch nothing, and
// stop on a called workflow that asks for more permissions than its caller holds.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/run_process.hpp"

namespace fs = std::filesystem;
using pipeline::test::run_process;

namespace {

/// A scratch copy of a fixture folder, removed afterwards.
class FixtureCopy {
public:
  FixtureCopy(const std::string& fixture, const std::string& name)
      : m_path(fs::temp_directory_path() / ("pipe-plan-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(m_path);
    fs::copy(fs::path(PIPE_FIXTURES_DIR) / fixture, m_path, fs::copy_options::recursive);
  }
  ~FixtureCopy() { fs::remove_all(m_path); }
  FixtureCopy(const FixtureCopy&) = delete;
  FixtureCopy& operator=(const FixtureCopy&) = delete;

  [[nodiscard]] std::string path() const { return m_path.string(); }

private:
  fs::path m_path;
};

/// Points the action cache somewhere for one scope.
class CacheHome {
public:
  explicit CacheHome(const std::string& dir) {
    if (const char* old = std::getenv("XDG_CACHE_HOME")) {
      m_old = old;
      m_had = true;
    }
    ::setenv("XDG_CACHE_HOME", dir.c_str(), 1);
  }
  ~CacheHome() {
    if (m_had) {
      ::setenv("XDG_CACHE_HOME", m_old.c_str(), 1);
    } else {
      ::unsetenv("XDG_CACHE_HOME");
    }
  }
  CacheHome(const CacheHome&) = delete;
  CacheHome& operator=(const CacheHome&) = delete;

private:
  std::string m_old;
  bool m_had = false;
};

std::size_t files_under(const fs::path& dir) {
  std::size_t count = 0;
  if (fs::exists(dir)) {
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      count += entry.is_regular_file() ? 1 : 0;
    }
  }
  return count;
}

}  // namespace

TEST_CASE("a dry run shows the jobs of local called workflows as the run names them", "[cli][plan]") {
  FixtureCopy repo("workflows/reusable-local", "local");
  const auto result = run_process({PIPE_EXE, "run", "-n", "--backend", "host", "workflow.yml"}, repo.path());
  INFO(result.out + result.err);
  CHECK(result.exit_code == 0);
  for (const char* line : {"\ncall                         (calls ./.github/workflows/build.yml)\n",
                           "\n  call (linux)\n    call (linux) / compile\n",
                           "\n    call (mac) / test        <- call (mac) / compile\n",
                           "\nreport                       <- call\n",
                           "\nmissing                      (calls ./.github/workflows/build.yml) (Input target is "
                           "required, but not provided while calling.)\n  missing / compile\n",
                           "\nnested                       (calls ./.github/workflows/outer.yml)\n"
                           "  nested / inner             (calls ./.github/workflows/build.yml)\n"
                           "    nested / inner / compile\n"
                           "    nested / inner / test    <- nested / inner / compile\n"}) {
    CHECK_THAT(result.out, Catch::Contains(line));
  }
  CHECK_FALSE(fs::exists(fs::path(repo.path()) / ".pipe"));
}

TEST_CASE("pipe graph draws called workflows in text, DOT and Mermaid", "[cli][plan]") {
  FixtureCopy repo("workflows/reusable-local", "graph");
  const auto text = run_process({PIPE_EXE, "graph", "workflow.yml"}, repo.path());
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("  call (linux)\n    call (linux) / compile\n"));
  const auto dot = run_process({PIPE_EXE, "graph", "-f", "dot", "workflow.yml"}, repo.path());
  INFO(dot.out + dot.err);
  CHECK(dot.exit_code == 0);
  CHECK_THAT(dot.out, Catch::Contains("  subgraph \"cluster_0\" {\n    label=\"call (linux)\";\n"));
  CHECK_THAT(dot.out, Catch::Contains("  subgraph \"cluster_3\" {\n    label=\"nested\";\n"
                                      "    subgraph \"cluster_4\" {\n      label=\"nested / inner\";\n"));
  CHECK_THAT(dot.out, Catch::Contains("  \"call (mac) / test\" -> \"report\";\n"));
  CHECK_THAT(dot.out, Catch::Contains("  \"nested / inner / test\" -> \"after-nested\";\n"));
  const auto mermaid = run_process({PIPE_EXE, "graph", "-f", "mermaid", "workflow.yml"}, repo.path());
  CHECK(mermaid.exit_code == 0);
  CHECK_THAT(mermaid.out, Catch::Contains("  subgraph s0[\"call (linux)\"]\n    j0[\"call (linux) / compile\"]\n"));
  CHECK_THAT(mermaid.out, Catch::Contains("  j8 --> j9\n"));
}

TEST_CASE("remote called workflows come from the cache or stay a note; nothing is fetched", "[cli][plan]") {
  FixtureCopy repo("plan/remote-call", "remote");
  {
    CacheHome cache(repo.path() + "/cache");
    const auto cached = run_process({PIPE_EXE, "run", "-n", "--backend", "host", "workflow.yml"}, repo.path());
    INFO(cached.out + cached.err);
    CHECK(cached.exit_code == 0);
    CHECK_THAT(cached.out, Catch::Contains("  cached / setup\n  cached / lint strict <- cached / setup\n"));
    CHECK_THAT(cached.out, Catch::Contains("(remote workflow octo/elsewhere/.github/workflows/build.yml@v2: not "
                                           "fetched in a dry run)"));
  }
  const fs::path empty = fs::path(repo.path()) / "empty-cache";
  CacheHome cache(empty.string());
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {PIPE_EXE, "run", "-n", "--backend", "host", "--actions-url", "http://127.0.0.1:1/", "workflow.yml"},
           {PIPE_EXE, "graph", "workflow.yml"}}) {
    const auto result = run_process(argv, repo.path());
    INFO(result.out + result.err);
    CHECK(result.exit_code == 0);
    CHECK_THAT(result.out, Catch::Contains("(remote workflow octo/shared/.github/workflows/lint.yml@v1: not fetched "
                                           "in a dry run)"));
    CHECK(files_under(empty) == 0);
  }
}

TEST_CASE("a called workflow raising its caller's permissions stops dry runs and graphs", "[cli][plan]") {
  FixtureCopy repo("workflows/reusable-permissions", "permissions");
  const std::string message =
      ".github/workflows/publish.yml:8:5: error: Error calling workflow './.github/workflows/publish.yml'. The nested "
      "job 'build' is requesting 'contents: write', but is only allowed 'contents: read'.";
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {PIPE_EXE, "run", "-n", "--backend", "host", "workflow.yml"}, {PIPE_EXE, "graph", "workflow.yml"}}) {
    const auto result = run_process(argv, repo.path());
    INFO(result.out + result.err);
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Catch::Contains(message));
  }
  CHECK_FALSE(fs::exists(fs::path(repo.path()) / ".pipe"));
}
