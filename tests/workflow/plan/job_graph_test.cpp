#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "workflow/plan/job_graph.hpp"

using pipeline::workflow::plan::JobGraph;
using pipeline::workflow::plan::JobNeeds;
using Ids = std::vector<std::string>;

namespace {

JobGraph must_build(const std::vector<JobNeeds>& jobs) {
  auto graph = JobGraph::build(jobs);
  REQUIRE(graph.ok());
  return graph.value();
}

// build -> (test, lint) -> deploy; docs stands alone.
const std::vector<JobNeeds> k_diamond = {
    {"deploy", {"test", "lint"}}, {"build", {}}, {"test", {"build"}},
    {"lint", {"build"}},          {"docs", {}},
};

}  // namespace

TEST_CASE("job graph: order, levels, edges", "[graph]") {
  const JobGraph graph = must_build(k_diamond);
  CHECK(graph.topological_order() == Ids{"build", "test", "lint", "deploy", "docs"});
  CHECK(graph.levels() == std::vector<Ids>{{"build", "docs"}, {"test", "lint"}, {"deploy"}});
  CHECK(graph.roots() == Ids{"build", "docs"});
  CHECK(graph.find("build")->dependents == Ids{"test", "lint"});
  CHECK(graph.find("deploy")->needs == Ids{"test", "lint"});
  CHECK(graph.find("deploy")->dependents.empty());
  CHECK(graph.find("nope") == nullptr);
}

TEST_CASE("job graph: errors", "[graph]") {
  struct Case {
    std::vector<JobNeeds> jobs;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{{"a", {"b"}}, {"b", {"c"}}, {"c", {"a"}}}, "jobs form a cycle: a -> b -> c -> a"},
      {{{"a", {}}, {"b", {"c"}}, {"c", {"b", "a"}}}, "jobs form a cycle: b -> c -> b"},
      {{{"a", {"a"}}}, "jobs form a cycle: a -> a"},
      {{{"a", {"x"}}}, "job 'a' needs 'x', which does not exist"},
      {{{"a", {}}, {"a", {}}}, "job 'a' is defined twice"},
  };
  for (const auto& c : cases) {
    INFO(c.message);
    auto graph = JobGraph::build(c.jobs);
    REQUIRE_FALSE(graph.ok());
    CHECK(graph.error().message == c.message);
  }
}

TEST_CASE("job graph: duplicate needs count once", "[graph]") {
  const JobGraph graph = must_build({{"a", {}}, {"b", {"a", "a"}}});
  CHECK(graph.find("b")->needs == Ids{"a"});
  CHECK(graph.find("a")->dependents == Ids{"b"});
}

TEST_CASE("job graph: subgraph_for keeps transitive needs", "[graph]") {
  const JobGraph graph = must_build(k_diamond);
  struct Case {
    Ids selected;
    Ids order;
  };
  const std::vector<Case> cases = {
      {{"deploy"}, {"build", "test", "lint", "deploy"}},
      {{"test"}, {"build", "test"}},
      {{"docs", "lint"}, {"build", "lint", "docs"}},
      {{"build"}, {"build"}},
  };
  for (const auto& c : cases) {
    auto sub = graph.subgraph_for(c.selected);
    REQUIRE(sub.ok());
    CHECK(sub->topological_order() == c.order);
  }
  auto sub = graph.subgraph_for({"test"});
  CHECK(sub->find("build")->dependents == Ids{"test"});  // edges to unselected jobs are gone
  auto missing = graph.subgraph_for({"nope"});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "no job 'nope' in the workflow");
}

TEST_CASE("job graph: built from a workflow", "[graph]") {
  pipeline::workflow::Workflow workflow;
  for (auto [id, needs] : std::vector<JobNeeds>{{"b", {"a"}}, {"a", {}}}) {
    pipeline::workflow::Job job;
    job.id.value = id;
    for (const auto& need : needs) {
      job.needs.push_back({need, {}});
    }
    workflow.jobs.push_back(job);
  }
  auto graph = JobGraph::build(workflow);
  REQUIRE(graph.ok());
  CHECK(graph->topological_order() == Ids{"a", "b"});
}

TEST_CASE("job graph: renderings", "[graph]") {
  const JobGraph graph = must_build({{"build", {}}, {"test", {"build"}}, {"deploy \"prod\"", {"build", "test"}}});
  CHECK(render_text(graph) ==
        "build\n"
        "test          <- build\n"
        "deploy \"prod\" <- build, test\n");
  CHECK(render_dot(graph, "CI") ==
        "digraph \"CI\" {\n"
        "  rankdir=LR;\n"
        "  node [shape=box];\n"
        "  \"build\";\n"
        "  \"test\";\n"
        "  \"deploy \\\"prod\\\"\";\n"
        "  \"build\" -> \"test\";\n"
        "  \"build\" -> \"deploy \\\"prod\\\"\";\n"
        "  \"test\" -> \"deploy \\\"prod\\\"\";\n"
        "}\n");
  CHECK(render_mermaid(graph) ==
        "flowchart LR\n"
        "  j0[\"build\"]\n"
        "  j1[\"test\"]\n"
        "  j2[\"deploy #quot;prod#quot;\"]\n"
        "  j0 --> j1\n"
        "  j0 --> j2\n"
        "  j1 --> j2\n");
}

TEST_CASE("job graph: a long chain", "[graph]") {
  std::vector<JobNeeds> jobs;
  for (int i = 0; i < 200; ++i) {
    jobs.push_back({"j" + std::to_string(i), i == 0 ? Ids{} : Ids{"j" + std::to_string(i - 1)}});
  }
  const JobGraph graph = must_build(jobs);
  CHECK(graph.levels().size() == 200);
  CHECK(graph.subgraph_for({"j199"})->nodes().size() == 200);
}
