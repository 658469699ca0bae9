// One workflow file that does not load never blocks the others: as on GitHub, it is a failed
// run of its own. Through the real `pipe run`.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "support/files.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using pipeline::test::read_file;
using pipeline::test::run_process;
using pipeline::test::TempDir;
using pipeline::test::write_file;

namespace {

constexpr const char* k_good = R"yaml(on: push
jobs:
  good:
    runs-on: ubuntu-latest
    steps:
      - run: echo "good ran $((6 * 7))"
)yaml";

// `stesp` is not a key of a job: an error at line 5, column 5.
constexpr const char* k_broken = R"yaml(on: push
jobs:
  bad:
    runs-on: ubuntu-latest
    stesp:
      - run: echo never
)yaml";

/// A repository whose .github/workflows holds a good and a broken workflow.
struct BrokenRepo {
  TempDir dir{"broken-workflow"};
  BrokenRepo() {
    write_file(dir.path / ".github" / "workflows" / "good.yml", k_good);
    write_file(dir.path / ".github" / "workflows" / "broken.yml", k_broken);
  }
};

}  // namespace

TEST_CASE("a broken file in .github/workflows fails alone: the others run, the exit code is 1", "[run][broken]") {
  BrokenRepo repo;
  const auto result = run_process({PIPE_EXE, "run", "--backend", "host", "--report", "junit=junit.xml", "--report",
                                   "json=report.json"},
                                  repo.dir.path.string());
  INFO(result.out + result.err);
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("broken.yml:5:5: error:"));
  CHECK_THAT(result.out, Catch::Contains("good ran 42"));
  // The summary, the run record and both reports list the broken file as failed.
  CHECK_THAT(result.out, Catch::Contains(".github/workflows/broken.yml"));
  const auto record = nlohmann::json::parse(read_file(repo.dir.path / ".pipe" / "runs" / "latest" / "run.json"));
  CHECK(record["result"] == "failure");
  CHECK(record["exit_code"] == 1);
  std::map<std::string, std::string> results;
  for (const auto& job : record["jobs"]) {
    results[job["name"].get<std::string>()] = job["result"].get<std::string>();
  }
  CHECK(results == std::map<std::string, std::string>{{".github/workflows/broken.yml", "failure"}, {"good", "success"}});
  for (const auto& job : record["jobs"]) {
    if (job["name"] == ".github/workflows/broken.yml") {
      // Both errors of the file (a job without steps, because of the misspelt key), in file order.
      REQUIRE(job["annotations"].size() == 2);
      CHECK(job["annotations"][1]["line"] == 5);
      CHECK(job["annotations"][1]["title"] == "Invalid workflow file");
      CHECK(job["annotations"][1]["message"] == "unknown key 'stesp' in job 'bad'");
    }
  }
  CHECK(nlohmann::json::parse(read_file(repo.dir.path / "report.json"))["jobs"] == record["jobs"]);
  const std::string junit = read_file(repo.dir.path / "junit.xml");
  CHECK_THAT(junit, Catch::Contains("name=\".github/workflows/broken.yml\""));
  CHECK_THAT(junit, Catch::Contains("failures=\"1\""));
}

TEST_CASE("a dry run shows the others' plan and exits 1 for a broken file", "[run][broken]") {
  BrokenRepo repo;
  const auto result = run_process({PIPE_EXE, "run", "--dry-run"}, repo.dir.path.string());
  INFO(result.out + result.err);
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("broken.yml:5:5: error:"));
  CHECK_THAT(result.out, Catch::Contains("good.yml"));
}

TEST_CASE("a broken file named on the command line stops the run with exit code 2", "[run][broken]") {
  BrokenRepo repo;
  const auto result =
      run_process({PIPE_EXE, "run", "--backend", "host", ".github/workflows/broken.yml", ".github/workflows/good.yml"},
                  repo.dir.path.string());
  INFO(result.out + result.err);
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Catch::Contains("broken.yml:5:5: error:"));
  CHECK_THAT(result.out + result.err, !Catch::Contains("good ran"));
  CHECK_FALSE(fs::exists(repo.dir.path / ".pipe" / "runs"));
}

TEST_CASE("pipe validate still reports a broken file with exit code 2", "[run][broken]") {
  BrokenRepo repo;
  const auto result = run_process({PIPE_EXE, "validate"}, repo.dir.path.string());
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Catch::Contains("broken.yml:5:5: error:"));
}
