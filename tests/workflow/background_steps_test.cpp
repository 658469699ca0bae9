#include <catch2/catch.hpp>

#include "support/workflow_problems.hpp"
#include "workflow/loader.hpp"
#include "workflow/validate.hpp"

using namespace pipeline::workflow;

namespace {

// Every message (with its hint) that loading plus validation reports for the steps of one job.
std::vector<std::string> problems(const std::string& steps) {
  return pipeline::test::workflow_problems("on: push\njobs:\n  build:\n    runs-on: x\n    steps:\n" + steps);
}

}  // namespace

TEST_CASE("the documented background-step workflow loads and validates cleanly", "[validate]") {
  const LoadedSet set = load_all({std::filesystem::path(PIPE_FIXTURES_DIR) / "valid" / "background-steps.yml"});
  INFO(format_diagnostics(set));
  CHECK(set.diagnostics.empty());
}

TEST_CASE("a parallel group becomes background steps and one step waiting for them", "[validate]") {
  LoadResult loaded = load_workflow_text(
      "on: push\njobs:\n  build:\n    runs-on: x\n    steps:\n      - run: a\n"
      "      - parallel:\n          - run: b\n          - id: c\n            run: c\n      - run: d\n",
      "wf.yml");
  REQUIRE(loaded.workflow);
  REQUIRE(loaded.diagnostics.empty());
  const auto& steps = loaded.workflow->jobs.at(0).steps;
  REQUIRE(steps.size() == 5);
  CHECK_FALSE(steps[0].background);
  CHECK(steps[1].background);
  CHECK(steps[2].background);
  CHECK(steps[2].id->value == "c");
  CHECK(steps[3].is_control());
  CHECK(steps[3].wait_indices == std::vector<std::size_t>{1, 2});
  CHECK(steps[3].index == 3);
  CHECK(steps[4].run->value == "d");
  CHECK(steps[4].index == 4);
}

TEST_CASE("wait, wait-all and cancel take the shapes GitHub documents", "[validate]") {
  LoadResult loaded = load_workflow_text(
      "on: push\njobs:\n  build:\n    runs-on: x\n    steps:\n      - {id: a, run: a, background: true}\n"
      "      - {id: b, run: b, background: true}\n      - wait: a\n      - wait: [a, b]\n      - wait-all:\n"
      "      - wait-all: true\n      - cancel: b\n",
      "wf.yml");
  REQUIRE(loaded.workflow);
  INFO(loaded.diagnostics.size());
  REQUIRE(loaded.diagnostics.empty());
  CHECK(validate(*loaded.workflow).empty());
  const auto& steps = loaded.workflow->jobs.at(0).steps;
  CHECK(steps[2].wait.size() == 1);
  CHECK(steps[3].wait.size() == 2);
  CHECK(steps[4].wait_all.has_value());
  CHECK(steps[5].wait_all.has_value());
  CHECK(steps[6].cancel->value == "b");
}

TEST_CASE("background steps and their waits are refused where GitHub refuses them", "[validate]") {
  struct Row {
    std::string steps;
    std::string expected;
  };
  const Row rows[] = {
      {"      - {id: a, run: a}\n      - wait: a\n",
       "'wait' in step 2 of job 'build' names step 'a', which does not run in the background | add 'background: true' "
       "to step 'a'"},
      {"      - wait: a\n      - {id: a, run: a, background: true}\n",
       "'wait' in step 1 of job 'build' names 'a', which is not an earlier step of the job | no earlier step of this "
       "job has an id and 'background: true'"},
      {"      - {id: server, run: a, background: true}\n      - cancel: sever\n",
       "'cancel' in step 2 of job 'build' names 'sever', which is not an earlier step of the job | did you mean "
       "'server'?"},
      {"      - {id: a, run: a, background: true}\n      - {wait: a, run: b}\n",
       "step 2 of job 'build' has 'wait', so it cannot have 'run' | a 'wait' step runs nothing; put the work in a step "
       "of its own"},
      {"      - {id: a, run: a, background: true}\n      - {wait: a, cancel: a}\n",
       "step 2 of job 'build' combines 'wait', 'wait-all' and 'cancel' | a step either waits for named steps, waits for "
       "all of them, or cancels one; use one step for each"},
      {"      - {run: a, background: yes}\n", "'background' must be true or false"},
      {"      - wait-all: false\n", "'wait-all' must be true (or have no value)"},
      {"      - wait: []\n", "'wait' needs the id of at least one background step"},
      {"      - parallel:\n          - parallel: [{run: a}]\n",
       "a step inside 'parallel' cannot have 'parallel' | parallel groups cannot be nested"},
      {"      - parallel:\n          - wait-all: true\n",
       "a step inside 'parallel' cannot have 'wait-all' | every member of a group runs a script or an action"},
      {"      - parallel: []\n", "'parallel' must be a list of steps"},
      {"      - {parallel: [{run: a}], if: always()}\n", "unknown key 'if' in a 'parallel' group | expected one of: parallel"},
  };
  for (const auto& row : rows) {
    INFO(row.steps);
    const auto found = problems(row.steps);
    CHECK(std::find(found.begin(), found.end(), row.expected) != found.end());
  }
}

TEST_CASE("a composite action's steps cannot run in the background", "[validate]") {
  ActionLoadResult loaded = load_action_manifest_text("name: x\nruns:\n  using: composite\n  steps:\n"
                                       "    - {run: a, shell: bash, background: true}\n",
                                                "action.yml");
  REQUIRE_FALSE(loaded.diagnostics.empty());
  CHECK(loaded.diagnostics[0].message.find("'background'") != std::string::npos);
}

TEST_CASE("job.workflow_* fields and jobs.<id>.result are accepted where GitHub allows them", "[validate]") {
  LoadResult loaded = load_workflow_text(
      "on:\n  workflow_call:\n    outputs:\n      built:\n        value: ${{ jobs.build.result }}\n"
      "jobs:\n  build:\n    runs-on: x\n    steps:\n"
      "      - run: echo ${{ job.workflow_ref }} ${{ job.workflow_sha }} ${{ job.workflow_repository }}\n"
      "      - run: echo ${{ job.workflow_file_path }}\n",
      "wf.yml");
  REQUIRE(loaded.workflow);
  CHECK(loaded.diagnostics.empty());
  CHECK(validate(*loaded.workflow).empty());
}
