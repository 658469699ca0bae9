// `container:` and `services:` in their literal and expression forms, as the loader and the
// validator take them.
#include <catch2/catch.hpp>

#include "support/workflow_problems.hpp"
#include "workflow/loader.hpp"

using namespace pipeline::workflow;
using pipeline::test::workflow_problems;

namespace {

std::string job(const std::string& body) {
  return "on: push\njobs:\n  build:\n    runs-on: x\n" + body + "    steps:\n      - run: a\n";
}

Job load_job(const std::string& body) {
  LoadResult loaded = load_workflow_text(job(body), "wf.yml");
  REQUIRE(loaded.diagnostics.empty());
  REQUIRE(loaded.workflow);
  return loaded.workflow->jobs.at(0);
}

}  // namespace

TEST_CASE("services given as one expression are kept for the job's start", "[workflow][containers]") {
  const std::string body =
      "    strategy:\n      matrix:\n        db: [postgres]\n"
      "    services: ${{ fromJSON('{\"db\":\"postgres\"}') }}\n";
  CHECK(workflow_problems(job(body)).empty());
  const Job j = load_job(body);
  REQUIRE(j.services_expression);
  CHECK(j.services_expression->scalar == "${{ fromJSON('{\"db\":\"postgres\"}') }}");
  CHECK(j.services.empty());
}

TEST_CASE("container given as one expression or as null is accepted", "[workflow][containers]") {
  const std::string matrix = "    strategy:\n      matrix:\n        c: ['', busybox]\n";
  CHECK(workflow_problems(job(matrix + "    container: ${{ matrix.c }}\n")).empty());
  CHECK(workflow_problems(job("    container: null\n")).empty());
  CHECK(workflow_problems(job("    container:\n")).empty());
  CHECK_FALSE(load_job("    container: null\n").container.has_value());
  CHECK(workflow_problems(job("    services:\n")).empty());
}

TEST_CASE("an expression in services: is checked with the job's contexts", "[workflow][containers]") {
  const auto found = workflow_problems(job("    services: ${{ steps.x.outputs.y }}\n"));
  REQUIRE(found.size() == 1);
  CHECK_THAT(found[0], Catch::Contains("Unrecognized named-value: 'steps'"));
}

TEST_CASE("services take entrypoint and command, job containers do not", "[workflow][containers]") {
  const Job j = load_job(
      "    services:\n      db:\n        image: postgres\n        entrypoint: /bin/sh\n"
      "        command: [-c, 'sleep 5']\n");
  REQUIRE(j.services.size() == 1);
  REQUIRE(j.services[0].second.entrypoint);
  CHECK(j.services[0].second.entrypoint->scalar == "/bin/sh");
  REQUIRE(j.services[0].second.command);
  CHECK(j.services[0].second.command->items.size() == 2);

  const auto found = workflow_problems(job("    container:\n      image: busybox\n      entrypoint: /bin/sh\n"));
  REQUIRE(found.size() == 1);
  CHECK_THAT(found[0], Catch::StartsWith("unknown key 'entrypoint' in 'container'"));

  const auto bad = workflow_problems(job("    services:\n      db:\n        image: postgres\n        command: {a: b}\n"));
  REQUIRE(bad.size() == 1);
  CHECK_THAT(bad[0], Catch::Contains("'command' must be a string, not"));
}
