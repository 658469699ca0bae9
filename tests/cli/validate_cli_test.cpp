#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/run_process.hpp"

using pipeline::test::run_process;

namespace {

// A scratch repository with `.github/workflows/`, removed when the test ends.
class ScratchRepo {
public:
  ScratchRepo() : m_root(std::filesystem::temp_directory_path() / ("pipe-cli-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(m_root);
    std::filesystem::create_directories(m_root / ".github" / "workflows");
  }
  ~ScratchRepo() { std::filesystem::remove_all(m_root); }
  ScratchRepo(const ScratchRepo&) = delete;
  ScratchRepo& operator=(const ScratchRepo&) = delete;

  void write(const std::string& relative, const std::string& text) const {
    std::ofstream(m_root / relative) << text;
  }
  [[nodiscard]] std::string path() const { return m_root.string(); }

private:
  std::filesystem::path m_root;
};

const char* const k_valid = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n";
const char* const k_broken = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - name: x\n";

}  // namespace

TEST_CASE("pipe validate checks .github/workflows by default", "[cli]") {
  ScratchRepo repo;
  repo.write(".github/workflows/ci.yml", k_valid);
  repo.write(".github/workflows/release.yaml", k_valid);
  const auto result = run_process({PIPE_EXE, "validate"}, repo.path());
  CHECK(result.exit_code == 0);
  CHECK(result.out.empty());
  CHECK(result.err == "pipe: 2 files checked: no errors\n");
}

TEST_CASE("pipe validate -C resolves paths in another directory", "[cli]") {
  ScratchRepo repo;
  repo.write(".github/workflows/ci.yml", k_broken);
  const auto result = run_process({PIPE_EXE, "validate", "-C", repo.path()});
  CHECK(result.exit_code == 2);
  CHECK(result.err ==
        ".github/workflows/ci.yml:6:9: error: step 1 of job 'build' has neither 'run' nor 'uses'\n"
        "        - name: x\n"
        "          ^\n"
        "pipe: 1 file checked: 1 error in 1 file\n");
}

TEST_CASE("pipe validate reports every file, valid or not", "[cli]") {
  ScratchRepo repo;
  repo.write("a.yml", k_valid);
  repo.write("b.yml", k_broken);
  repo.write("c.yml", "on: push\njobs: [\n");
  const auto result = run_process({PIPE_EXE, "validate", "a.yml", "b.yml", "c.yml", "missing.yml"}, repo.path());
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("b.yml:6:9: error:") != std::string::npos);
  CHECK(result.err.find("c.yml:3:1: error: invalid YAML") != std::string::npos);
  CHECK(result.err.find("missing.yml: error: cannot read file: No such file or directory") != std::string::npos);
  CHECK(result.err.ends_with("pipe: 4 files checked: 3 errors in 3 files\n"));
}

TEST_CASE("pipe validate --json prints diagnostics as JSON on stdout", "[cli]") {
  ScratchRepo repo;
  repo.write("b.yml", k_broken);
  const auto result = run_process({PIPE_EXE, "validate", "--json", "b.yml"}, repo.path());
  CHECK(result.exit_code == 2);
  const auto json = nlohmann::json::parse(result.out);
  REQUIRE(json["diagnostics"].size() == 1);
  const auto& d = json["diagnostics"][0];
  CHECK(d["file"] == "b.yml");
  CHECK(d["line"] == 6);
  CHECK(d["column"] == 9);
  CHECK(d["severity"] == "error");
  CHECK(d["message"] == "step 1 of job 'build' has neither 'run' nor 'uses'");
  CHECK(d["hint"] == "");
  CHECK(result.err == "pipe: 1 file checked: 1 error in 1 file\n");
}

TEST_CASE("pipe validate without workflows is an error", "[cli]") {
  ScratchRepo repo;
  const auto result = run_process({PIPE_EXE, "validate"}, repo.path());
  CHECK(result.exit_code == 2);
  CHECK(result.err ==
        ".github/workflows: error: no workflow files (*.yml, *.yaml) in this directory\n"
        "pipe: 0 files checked: 1 error in 1 file\n");
}

TEST_CASE("pipe validate accepts the public workflows", "[cli]") {
  const auto result = run_process({PIPE_EXE, "validate", "-C", PIPE_FIXTURES_DIR, "workflows-public", "valid/full-syntax.yml",
                                   "valid/newer-schema.yml", "valid/public-constructs.yml"});
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.err.find("no errors") != std::string::npos);
}

TEST_CASE("a repeatable option takes one value per use; what follows stays a workflow", "[cli]") {
  ScratchRepo repo;
  repo.write("w.yml", "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"in=$X\"\n");
  const auto result = run_process({PIPE_EXE, "run", "-C", repo.path(), "-P", "ubuntu-latest=host", "w.yml", "-P",
                                   "other=host", "--env-file", "/dev/null", "-s", "TOKEN=abcdef"});
  INFO(result.out + result.err);
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("in="));
}

TEST_CASE("validate --json and list --json print a file name that is not UTF-8", "[cli]") {
  ScratchRepo repo;
  // A valid workflow and a broken one, both named with the byte 0xFF (Latin-1 'ÿ').
  repo.write(".github/workflows/ok-\xff.yml", "on: push\njobs:\n  j:\n    runs-on: x\n    steps: [{run: a}]\n");
  repo.write(".github/workflows/bad-\xff.yml", "on: push\njobs:\n  j:\n    steps: [{run: a}]\n");
  const std::string replaced = "\xef\xbf\xbd";  // U+FFFD, what the bad byte prints as

  const auto validated = run_process({PIPE_EXE, "validate", "--json", "-C", repo.path()});
  INFO(validated.err);
  CHECK(validated.exit_code == 2);
  const auto diagnostics = nlohmann::json::parse(validated.out)["diagnostics"];
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0]["file"] == ".github/workflows/bad-" + replaced + ".yml");

  const auto listed = run_process({PIPE_EXE, "list", "--json", "-C", repo.path(), ".github/workflows/ok-\xff.yml"});
  INFO(listed.err);
  CHECK(listed.exit_code == 0);
  CHECK(nlohmann::json::parse(listed.out)["workflows"][0]["file"] == ".github/workflows/ok-" + replaced + ".yml");
}
