// Which secrets a job can read, found by parsing its expressions: names where they are literal,
// everything where they cannot be known.
#include <catch2/catch.hpp>

#include "workflow/loader.hpp"
#include "workflow/secret_refs.hpp"

using namespace pipeline::workflow;

namespace {

std::set<std::string> names(std::string_view expression) {
  const auto refs = secrets_in_expression(expression);
  CHECK_FALSE(refs.all);
  return refs.names;
}

}  // namespace

TEST_CASE("secret refs: literal names, upper-cased", "[secrets][workflow]") {
  using Names = std::set<std::string>;
  CHECK(names("secrets.deploy_key") == Names{"DEPLOY_KEY"});
  CHECK(names("secrets['Api-Token'] || secrets.Other") == Names{"API-TOKEN", "OTHER"});
  CHECK(names("format('{0}', secrets.A) == 'x' && !secrets.B") == Names{"A", "B"});
  CHECK(names("github.token").empty());
  CHECK(names("env.secrets").empty());  // a property named secrets is not the context
  CHECK(names("'secrets.X'").empty());  // nor is text
}

TEST_CASE("secret refs: the whole context where a name cannot be known", "[secrets][workflow]") {
  for (const char* expression : {"toJSON(secrets)", "secrets[matrix.name]", "secrets.*", "join(secrets.*, ',')",
                                 "fromJSON(toJSON(secrets)).X", "secrets"}) {
    INFO(expression);
    CHECK(secrets_in_expression(expression).all);
  }
}

TEST_CASE("secret refs: templates and conditions", "[secrets][workflow]") {
  CHECK(secrets_in_text("a ${{ secrets.ONE }} b ${{ secrets.TWO }}").names == std::set<std::string>{"ONE", "TWO"});
  CHECK(secrets_in_text("secrets.ONE").names.empty());  // a plain string is no expression
  CHECK(secrets_in_text("secrets.ONE != ''", TextKind::condition).names == std::set<std::string>{"ONE"});
  CHECK(secrets_in_text("${{ secrets.ONE }}", TextKind::condition).names == std::set<std::string>{"ONE"});
  CHECK(secrets_in_text("${{ broken").names.empty());
}

TEST_CASE("secret refs: every key of a job, its steps and the workflow's env", "[secrets][workflow]") {
  const auto loaded = load_workflow_text(R"(on: push
env:
  WF: ${{ secrets.WORKFLOW_LEVEL }}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ secrets.IN_RUN }}
  deploy:
    runs-on: ubuntu-latest
    if: secrets.IN_JOB_IF != ''
    environment:
      name: production
      url: ${{ steps.d.outputs.url }}
    container:
      image: node:20
      credentials:
        username: me
        password: ${{ secrets.REGISTRY_PASSWORD }}
    services:
      db:
        image: postgres
        env:
          POSTGRES_PASSWORD: ${{ secrets.DB_PASSWORD }}
    env:
      J: ${{ secrets.IN_JOB_ENV }}
    steps:
      - if: ${{ secrets.IN_STEP_IF }}
        uses: ./deploy
        with:
          key: ${{ secrets.DEPLOY_KEY }}
        env:
          S: ${{ secrets.IN_STEP_ENV }}
  call:
    uses: ./.github/workflows/called.yml
    secrets:
      token: ${{ secrets.PASSED_ON }}
  inherit:
    uses: ./.github/workflows/called.yml
    secrets: inherit
)",
                                         "ci.yml");
  REQUIRE(loaded.workflow);
  const Workflow& wf = *loaded.workflow;
  CHECK(secrets_of_job(wf, "test").names == std::set<std::string>{"IN_RUN", "WORKFLOW_LEVEL"});
  CHECK(secrets_of_job(wf, "deploy").names ==
        std::set<std::string>{"DB_PASSWORD", "DEPLOY_KEY", "IN_JOB_ENV", "IN_JOB_IF", "IN_STEP_ENV", "IN_STEP_IF",
                              "REGISTRY_PASSWORD", "WORKFLOW_LEVEL"});
  CHECK(secrets_of_job(wf, "call").names == std::set<std::string>{"PASSED_ON", "WORKFLOW_LEVEL"});
  CHECK(secrets_of_job(wf, "inherit").all);
  const auto both = secrets_of_jobs(wf, {"test", "call"});
  CHECK(both.can_read("in_run"));
  CHECK(both.can_read("PASSED_ON"));
  CHECK_FALSE(both.can_read("DEPLOY_KEY"));
}
