// Which jobs count as wanting the same warm container, told from the workflow before they start,
// and the count of those still to come.
#include <catch2/catch.hpp>

#include "runner/job/warm_demand.hpp"
#include "workflow/loader.hpp"

using pipeline::runner::job::RunOptions;
using pipeline::runner::job::statically_false;
using pipeline::runner::job::WarmDemand;
using pipeline::runner::job::warm_class;

namespace {

const char* const k_workflow = R"yaml(on: push
jobs:
  plain:
    runs-on: ubuntu-latest
    steps: [run: "true"]
  plain_too:
    runs-on: [ubuntu-latest]
    steps: [run: echo other]
  other_image:
    runs-on: ubuntu-22.04
    steps: [run: "true"]
  with_action:
    runs-on: ubuntu-latest
    steps: [uses: actions/setup-node@v4]
  with_checkout:
    runs-on: ubuntu-latest
    steps: [uses: actions/checkout@v4]
  boxed:
    runs-on: ubuntu-latest
    container: {image: busybox, options: --cpus 1}
    steps: [run: "true"]
  boxed_env:
    runs-on: ubuntu-latest
    container: {image: busybox, env: {A: b}}
    steps: [run: "true"]
  boxed_ports:
    runs-on: ubuntu-latest
    container: {image: busybox, ports: ["8080:80"]}
    steps: [run: "true"]
  empty_container:
    runs-on: ubuntu-latest
    container: ${{ inputs.none }}
    steps: [run: "true"]
  serviced:
    runs-on: ubuntu-latest
    services: {db: {image: postgres}}
    steps: [run: "true"]
  on_host:
    runs-on: self-hosted
    steps: [run: "true"]
  by_needs:
    runs-on: ${{ needs.plain.outputs.os }}
    steps: [run: "true"]
  by_matrix:
    runs-on: ${{ matrix.os }}
    strategy: {matrix: {os: [ubuntu-latest]}}
    steps: [run: "true"]
  calls:
    uses: ./.github/workflows/called.yml
)yaml";

struct Fixture {
  pipeline::workflow::Workflow workflow;
  RunOptions options;
  Fixture() {
    auto loaded = pipeline::workflow::load_workflow_text(k_workflow, "w.yml");
    REQUIRE(loaded.workflow);
    workflow = std::move(*loaded.workflow);
    options.platforms = {{"ubuntu-latest", "img:latest"}, {"ubuntu-22.04", "img:22.04"}};
  }
  // The contexts a job's `runs-on` sees before it starts: no needs have ended yet.
  std::optional<std::string> of(const char* id, pipeline::workflow::expr::MapContext ctx = {}) {
    ctx.set("inputs", pipeline::workflow::expr::Value::object());
    ctx.set("needs", pipeline::workflow::expr::Value::object());
    const auto* job = workflow.find_job(id);
    REQUIRE(job != nullptr);
    return warm_class(*job, ctx, options);
  }
};

}  // namespace

TEST_CASE("warm_class: jobs that would create the same container share a class", "[job][warm]") {
  Fixture f;
  REQUIRE(f.of("plain"));
  CHECK(f.of("plain") == f.of("plain_too"));  // steps differ, the container does not
  CHECK(f.of("plain") == f.of("with_checkout"));  // checkout mounts nothing
  CHECK(f.of("plain") == f.of("empty_container"));  // an empty image: as without `container:`
  CHECK(f.of("plain") != f.of("other_image"));
  CHECK(f.of("plain") != f.of("with_action"));  // the action cache is mounted
  REQUIRE(f.of("boxed"));
  CHECK(f.of("boxed") != f.of("plain"));
}

TEST_CASE("warm_class: jobs whose container takes something of the job have none", "[job][warm]") {
  Fixture f;
  for (const char* id : {"boxed_env", "boxed_ports", "serviced", "on_host", "calls", "by_needs"}) {
    INFO(id);
    CHECK_FALSE(f.of(id));
  }
}

TEST_CASE("warm_class: a matrix combination is classed with its matrix", "[job][warm]") {
  Fixture f;
  pipeline::workflow::expr::MapContext ctx;
  ctx.set("matrix", pipeline::workflow::expr::Value::from_json(nlohmann::json{{"os", "ubuntu-latest"}}));
  CHECK(f.of("by_matrix", ctx) == f.of("plain"));
  ctx.set("matrix", pipeline::workflow::expr::Value::from_json(nlohmann::json{{"os", "ubuntu-22.04"}}));
  CHECK(f.of("by_matrix", ctx) == f.of("other_image"));
}

TEST_CASE("statically_false: only `false` as written", "[job][warm]") {
  CHECK(statically_false("false"));
  CHECK(statically_false("  ${{ false }} "));
  CHECK(statically_false("${{false}}"));
  CHECK_FALSE(statically_false(""));
  CHECK_FALSE(statically_false("true"));
  CHECK_FALSE(statically_false("${{ false || true }}"));
  CHECK_FALSE(statically_false("github.ref == 'false'"));
}

TEST_CASE("WarmDemand: jobs expected, then started, never below none", "[job][warm]") {
  WarmDemand demand;
  CHECK(demand.to_come("a") == 0);
  demand.expect("a", 3);
  demand.expect("b");
  demand.started("a");
  CHECK(demand.to_come("a") == 2);
  CHECK(demand.to_come("b") == 1);
  demand.started("b");
  demand.started("b");
  CHECK(demand.to_come("b") == 0);
}
