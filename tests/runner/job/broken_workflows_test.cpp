// Which load errors let the other workflows run: a broken file found in a directory fails alone.
#include <catch2/catch.hpp>

#include <filesystem>

#include "runner/job/broken_workflows.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

using namespace pipeline::runner::job;
using pipeline::test::TempDir;
using pipeline::test::write_file;
namespace fs = std::filesystem;

namespace {

constexpr const char* k_good = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: 'true'\n";
constexpr const char* k_broken = "on: push\njobs:\n  a:\n    runs-on: x\n    stesp: []\n";

}  // namespace

TEST_CASE("sort_load_errors: directory files fail alone, named files and missing paths stop the run",
          "[engine][broken]") {
  TempDir dir("sort-load-errors");
  const fs::path workflows = dir.path / ".github" / "workflows";
  write_file(workflows / "good.yml", k_good);
  write_file(workflows / "broken.yml", k_broken);

  const auto listed = pipeline::workflow::load_all({workflows});
  const auto alone = sort_load_errors(listed, {workflows}, WorkflowSelection::triggers);
  CHECK_FALSE(alone.stop);
  REQUIRE(alone.broken.size() == 1);
  CHECK(alone.broken[0].path == (workflows / "broken.yml").generic_string());
  CHECK_FALSE(alone.broken[0].errors.empty());
  CHECK(listed.workflows.size() == 1);

  const std::vector<fs::path> named{workflows / "broken.yml", workflows / "good.yml"};
  const auto by_name = pipeline::workflow::load_all(named);
  CHECK(sort_load_errors(by_name, named, WorkflowSelection::triggers).stop);
  // A hook names the files it chose itself: they fail alone too.
  const auto chosen = sort_load_errors(by_name, named, WorkflowSelection::all);
  CHECK_FALSE(chosen.stop);
  CHECK(chosen.broken.size() == 1);

  const std::vector<fs::path> missing{dir.path / "nowhere"};
  CHECK(sort_load_errors(pipeline::workflow::load_all(missing), missing, WorkflowSelection::all).stop);
}
