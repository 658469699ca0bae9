// What job::run returns to the command that started it: a status, the jobs, and the errors it
// leaves to the caller to print.
#include <catch2/catch.hpp>

#include "runner/job/engine_run.hpp"

using namespace pipeline::test;

TEST_CASE("a run that cannot start returns its error and runs nothing", "[job][fake]") {
  FakeBackend fake;
  auto run = run_on_fake(fake, "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: never\n",
                         [](pipeline::runner::job::RunOptions& options) { options.vars = {"=x"}; });
  CHECK(run.exit_code == 2);
  CHECK(run.result.status == pipeline::k_exit_usage);
  CHECK(run.result.errors == std::vector<std::string>{"--var '=x': the name is empty"});
  CHECK(run.result.jobs.empty());
  CHECK(run.transcript.empty());
  CHECK(scripts(fake).empty());
}
