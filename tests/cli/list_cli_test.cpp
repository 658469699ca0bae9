#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "support/run_process.hpp"

using pipeline::test::run_process;

TEST_CASE("pipe list prints workflows, triggers and jobs as a table", "[cli][list]") {
  const auto result = run_process({PIPE_EXE, "list", "-C", PIPE_FIXTURES_DIR, "valid/full-syntax.yml",
                                   "workflows-public/react-compiler-typescript.yml"});
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
  CHECK(result.out ==
        "valid/full-syntax.yml — Full syntax\n"
        "  on: push, pull_request, pull_request_target, schedule, workflow_dispatch, workflow_call, workflow_run, "
        "repository_dispatch, release, issues, issue_comment, merge_group, watch\n"
        "  JOB         NAME                    NEEDS  RUNS-ON                                                MATRIX\n"
        "  build       Build ${{ matrix.os }}  -      ${{ matrix.os }}                                       3\n"
        "  test        -                       build  self-hosted,linux                                      -\n"
        "  grouped     -                       -      group=large-runners,linux                              -\n"
        "  call        -                       build  (calls octo-org/repo/.github/workflows/deploy.yml@v1)  2\n"
        "  call-local  -                       -      (calls ./.github/workflows/reusable.yml)               -\n"
        "\n"
        "workflows-public/react-compiler-typescript.yml — (Compiler) TypeScript\n"
        "  on: push, pull_request\n"
        "  JOB                       NAME                               NEEDS                     RUNS-ON        MATRIX\n"
        "  discover_yarn_workspaces  Discover yarn workspaces           -                         ubuntu-latest  -\n"
        "  lint                      Lint babel-plugin-react-compiler   -                         ubuntu-latest  -\n"
        "  test                      Test ${{ matrix.workspace_name }}  discover_yarn_workspaces  ubuntu-latest  ?\n");
}

TEST_CASE("pipe list --json describes each job", "[cli][list]") {
  const auto result = run_process({PIPE_EXE, "list", "--json", "-C", PIPE_FIXTURES_DIR,
                                   "workflows-public/react-compiler-typescript.yml"});
  CHECK(result.exit_code == 0);
  const auto json = nlohmann::json::parse(result.out);
  const auto& wf = json["workflows"][0];
  CHECK(wf["file"] == "workflows-public/react-compiler-typescript.yml");
  CHECK(wf["name"] == "(Compiler) TypeScript");
  CHECK(wf["triggers"] == nlohmann::json::array({"push", "pull_request"}));
  const auto& test = wf["jobs"][2];
  CHECK(test["id"] == "test");
  CHECK(test["needs"] == nlohmann::json::array({"discover_yarn_workspaces"}));
  CHECK(test["runs_on"] == "ubuntu-latest");
  CHECK(test["matrix"] == "?");
  CHECK(wf["jobs"][0]["matrix"].is_null());
}

TEST_CASE("pipe list reports broken files and exits 2", "[cli][list]") {
  const auto result = run_process({PIPE_EXE, "list", "-C", PIPE_FIXTURES_DIR, "errors/missing-steps.yml"});
  CHECK(result.exit_code == 2);
  CHECK(result.out.empty());
  CHECK(result.err.find("errors/missing-steps.yml:3:3: error: job 'build' has no steps") != std::string::npos);
}
