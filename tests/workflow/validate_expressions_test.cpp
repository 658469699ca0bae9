#include <catch2/catch.hpp>

#include "workflow/validate_expressions.hpp"

using namespace pipeline::workflow;

namespace {

// Builds a one-job workflow by hand (the loader is tested elsewhere); `source` is the file text
// the locations point into.
constexpr const char* k_source =
    "name: CI\n"                                              // 1
    "run-name: Deploy ${{ secrets.TOKEN }}\n"                 // 2
    "jobs:\n"                                                 // 3
    "  build:\n"                                              // 4
    "    if: success() && github.ref == 'x'\n"                // 5
    "    runs-on: ${{ matrix.os }}-${{ steps.a.outputs.b }}\n" // 6
    "    steps:\n"                                            // 7
    "      - if: ${{ hashFiles('a') != '' }}\n"               // 8
    "        run: |\n"                                        // 9
    "          echo ${{ github.sha }}\n"                      // 10
    "          echo ${{ githb.sha }}\n"                       // 11
    "      - run: echo ${{ 1 < }}\n"                          // 12
    "        env:\n"                                          // 13
    "          A: ${{ secrets.X }} ${{ hashFiles('x') }}\n";  // 14

Node string_node(std::string text, int line, int column) {
  Node n;
  n.kind = Node::Kind::string;
  n.scalar = std::move(text);
  n.where = {"ci.yml", line, column};
  return n;
}

Located<std::string> located(std::string text, int line, int column) {
  return Located<std::string>{std::move(text), {"ci.yml", line, column}};
}

Workflow sample() {
  Workflow wf;
  wf.path = "ci.yml";
  wf.source = k_source;
  wf.run_name = located("Deploy ${{ secrets.TOKEN }}", 2, 11);
  Job job;
  job.id = located("build", 4, 3);
  job.if_condition = located("success() && github.ref == 'x'", 5, 9);
  job.runs_on = string_node("${{ matrix.os }}-${{ steps.a.outputs.b }}", 6, 14);
  Step s1;
  s1.if_condition = located("${{ hashFiles('a') != '' }}", 8, 13);
  s1.run = located("echo ${{ github.sha }}\necho ${{ githb.sha }}\n", 9, 14);
  Step s2;
  s2.run = located("echo ${{ 1 < }}", 12, 14);
  Node env;
  env.kind = Node::Kind::mapping;
  env.entries.push_back(NodeEntry{"A", {"ci.yml", 14, 11}, string_node("${{ secrets.X }} ${{ hashFiles('x') }}", 14, 14)});
  s2.env = env;
  job.steps = {s1, s2};
  wf.jobs.push_back(job);
  return wf;
}

}  // namespace

TEST_CASE("validate_expressions reports each bad expression where it is written", "[expr][validate]") {
  const auto diags = validate_expressions(sample());
  REQUIRE(diags.size() == 4);

  CHECK(diags[0].message == "Unrecognized named-value: 'secrets'. Located at position 1 within expression: secrets.TOKEN");
  CHECK(diags[0].where.line == 2);
  CHECK(diags[0].where.column == 22);
  CHECK(diags[0].hint == "'secrets' is not available here; available contexts: github, vars, inputs");

  CHECK(diags[1].message == "Unrecognized named-value: 'steps'. Located at position 1 within expression: steps.a.outputs.b");
  CHECK(diags[1].where.line == 6);
  CHECK(diags[1].where.column == 35);

  CHECK(diags[2].message == "Unrecognized named-value: 'githb'. Located at position 1 within expression: githb.sha");
  CHECK(diags[2].where.line == 11);
  CHECK(diags[2].where.column == 20);
  CHECK(diags[2].hint == "did you mean 'github'?");

  CHECK(diags[3].message == "Unexpected end of expression: '<'. Located at position 3 within expression: 1 <");
  CHECK(diags[3].where.line == 12);
  CHECK(diags[3].where.column == 23);
  for (const auto& d : diags) {
    CHECK(d.where.file == "ci.yml");
    CHECK(d.severity == Severity::error);
  }
}

TEST_CASE("job if: allows status functions but not hashFiles or steps", "[expr][validate]") {
  Workflow wf;
  wf.path = "w.yml";
  Job job;
  job.if_condition = located("always() && hashFiles('x')", 1, 5);
  wf.jobs.push_back(job);
  auto diags = validate_expressions(wf);
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].message ==
        "Unrecognized function: 'hashFiles'. Located at position 13 within expression: always() && hashFiles('x')");
  wf.jobs[0].if_condition = located("${{ steps.x.outcome }}", 1, 5);
  diags = validate_expressions(wf);
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].message.rfind("Unrecognized named-value: 'steps'", 0) == 0);
  wf.jobs[0].if_condition = located("${{ needs.a.result == 'success' && inputs.x && vars.y }}", 1, 5);
  CHECK(validate_expressions(wf).empty());
}

TEST_CASE("unclosed and empty expressions are reported", "[expr][validate]") {
  Workflow wf;
  wf.path = "w.yml";
  wf.run_name = located("a ${{ github.ref", 1, 11);
  Job job;
  job.name = located("${{ }}", 2, 5);
  wf.jobs.push_back(job);
  const auto diags = validate_expressions(wf);
  REQUIRE(diags.size() == 2);
  CHECK(diags[0].message.rfind("The expression is not closed.", 0) == 0);
  CHECK(diags[1].message == "An expression was expected.");
}

TEST_CASE("a valid workflow has no expression diagnostics", "[expr][validate]") {
  Workflow wf;
  wf.run_name = located("Run ${{ github.actor }} ${{ inputs.x }}", 1, 11);
  Job job;
  job.runs_on = string_node("${{ matrix.os }}", 3, 5);
  job.outputs = string_node("${{ steps.s.outputs.v }}", 4, 5);
  Step step;
  step.if_condition = located("failure() || hashFiles('**/x') != ''", 5, 5);
  step.run = located("echo ${{ secrets.T }} ${{ env.A }} ${{ runner.os }} ${{ job.status }}", 6, 5);
  job.steps.push_back(step);
  wf.jobs.push_back(job);
  CHECK(validate_expressions(wf).empty());
}
