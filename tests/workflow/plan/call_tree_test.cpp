#include <catch2/catch.hpp>

#include "workflow/loader.hpp"
#include "workflow/plan/call_tree.hpp"
#include "workflow/plan/job_graph.hpp"

using namespace pipeline::workflow::plan;

namespace {

PlanJob job(std::string id, std::string name, std::vector<std::string> needs = {}) {
  PlanJob out;
  out.id = std::move(id);
  out.name = std::move(name);
  out.needs = std::move(needs);
  return out;
}

/// build; call (a matrix of two) calling compile <- test; report <- call; remote (not read).
std::vector<PlanJob> sample() {
  PlanJob call = job("call", "call", {"build"});
  call.uses = "./.github/workflows/x.yml";
  for (const std::string os : {"linux", "mac"}) {
    PlanCall instance;
    instance.name = "call (" + os + ")";
    instance.jobs = {job("compile", instance.name + " / compile"), job("test", instance.name + " / test", {"compile"})};
    call.calls.push_back(instance);
  }
  PlanJob remote = job("remote", "remote");
  remote.uses = "o/r/.github/workflows/y.yml@v1";
  remote.note = "remote workflow o/r/.github/workflows/y.yml@v1: not fetched in a dry run";
  return {job("build", "build"), call, remote, job("report", "report", {"call", "remote"})};
}

}  // namespace

TEST_CASE("render_plan_text indents called jobs under their caller", "[plan][calls]") {
  CHECK(render_plan_text(sample()) ==
        "build\n"
        "call                       <- build (calls ./.github/workflows/x.yml)\n"
        "  call (linux)\n"
        "    call (linux) / compile\n"
        "    call (linux) / test    <- call (linux) / compile\n"
        "  call (mac)\n"
        "    call (mac) / compile\n"
        "    call (mac) / test      <- call (mac) / compile\n"
        "remote                     (remote workflow o/r/.github/workflows/y.yml@v1: not fetched in a dry run)\n"
        "report                     <- call, remote\n");
}

TEST_CASE("render_plan_text of a workflow without calls is render_text", "[plan][calls]") {
  auto loaded = pipeline::workflow::load_workflow_text(
      "on: push\njobs:\n  deploy:\n    needs: [build, test]\n    runs-on: x\n    steps: [{run: a}]\n"
      "  build:\n    runs-on: x\n    steps: [{run: a}]\n  test:\n    needs: build\n    runs-on: x\n    steps: [{run: a}]\n",
      "w.yml");
  REQUIRE(loaded.workflow);
  auto graph = JobGraph::build(*loaded.workflow);
  REQUIRE(graph);
  std::vector<PlanJob> jobs;
  for (const auto& id : graph->topological_order()) {
    jobs.push_back(job(id, id, graph->find(id)->needs));
  }
  CHECK(render_plan_text(jobs) == render_text(*graph));
}

TEST_CASE("render_plan_dot draws calls as clusters with edges to their first and last jobs", "[plan][calls]") {
  CHECK(render_plan_dot(sample(), "t") ==
        "digraph \"t\" {\n  rankdir=LR;\n  node [shape=box];\n"
        "  \"build\";\n"
        "  subgraph \"cluster_0\" {\n    label=\"call (linux)\";\n    \"call (linux) / compile\";\n"
        "    \"call (linux) / test\";\n  }\n"
        "  subgraph \"cluster_1\" {\n    label=\"call (mac)\";\n    \"call (mac) / compile\";\n"
        "    \"call (mac) / test\";\n  }\n"
        "  \"remote\" [label=\"remote\\n(remote workflow o/r/.github/workflows/y.yml@v1: not fetched in a dry run)\"];\n"
        "  \"report\";\n"
        "  \"build\" -> \"call (linux) / compile\";\n"
        "  \"build\" -> \"call (mac) / compile\";\n"
        "  \"call (linux) / compile\" -> \"call (linux) / test\";\n"
        "  \"call (mac) / compile\" -> \"call (mac) / test\";\n"
        "  \"call (linux) / test\" -> \"report\";\n"
        "  \"call (mac) / test\" -> \"report\";\n"
        "  \"remote\" -> \"report\";\n"
        "}\n");
}

TEST_CASE("render_plan_mermaid uses subgraphs for calls", "[plan][calls]") {
  CHECK(render_plan_mermaid(sample()) ==
        "flowchart LR\n"
        "  j0[\"build\"]\n"
        "  subgraph s0[\"call (linux)\"]\n    j1[\"call (linux) / compile\"]\n    j2[\"call (linux) / test\"]\n  end\n"
        "  subgraph s1[\"call (mac)\"]\n    j3[\"call (mac) / compile\"]\n    j4[\"call (mac) / test\"]\n  end\n"
        "  j5[\"remote<br/>(remote workflow o/r/.github/workflows/y.yml@v1: not fetched in a dry run)\"]\n"
        "  j6[\"report\"]\n"
        "  j0 --> j1\n  j0 --> j3\n  j1 --> j2\n  j3 --> j4\n  j2 --> j6\n  j4 --> j6\n  j5 --> j6\n");
}
