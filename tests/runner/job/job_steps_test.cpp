// One job through the real engine on a FakeBackend: step order, `if:` and status functions,
// outputs, `continue-on-error` and step timeouts, with exact transcripts.
#include <catch2/catch.hpp>

#include "runner/job/engine_run.hpp"

using namespace pipeline::test;

TEST_CASE("steps run in order, with their output, cwd and environment", "[job][fake]") {
  FakeBackend fake;
  fake.on("echo two", {.out = "two\n", .err = "careful\n"});
  auto run = run_on_fake(fake, R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    env:
      LEVEL: job
    steps:
      - run: echo one
      - name: Second
        run: echo two
        env:
          LEVEL: step
      - run: echo three
)");
  CHECK(run.exit_code == 0);
  CHECK(run.transcript == R"(job_started build
step_started build / Run echo one
step_finished build / Run echo one: success
step_started build / Second
output build / Second: two
stderr build / Second: careful
step_finished build / Second: success
step_started build / Run echo three
step_finished build / Run echo three: success
job_finished build: success
)");
  CHECK(scripts(fake) == "build: echo one\nbuild: echo two\nbuild: echo three\n");
  const auto execs = fake.execs();
  REQUIRE(execs.size() == 3);
  const auto level = [](const FakeExec& exec) {
    for (const auto& [key, value] : exec.env) {
      if (key == "LEVEL") {
        return value;
      }
    }
    return std::string("(unset)");
  };
  CHECK(level(execs[0]) == "job");
  CHECK(level(execs[1]) == "step");
  CHECK(execs[0].cwd == fake.jobs().at(0).workspace);
  CHECK(fake.torn_down().size() == 1);
}

TEST_CASE("if: and the status functions after a failed step", "[job][fake]") {
  FakeBackend fake;
  fake.on("fail", {.exit_code = 3});
  auto run = run_on_fake(fake, R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: fail
      - run: plain
      - run: on-failure
        if: failure()
      - run: on-always
        if: always()
      - run: on-success
        if: success()
      - run: on-cancelled
        if: cancelled()
      - run: on-false
        if: false
)");
  CHECK(run.exit_code == 1);
  CHECK(run.transcript == R"(job_started build
step_started build / Run fail
annotation build / Run fail: error Process completed with exit code 3.
step_finished build / Run fail: failure
step_finished build / Run plain: skipped
step_started build / Run on-failure
step_finished build / Run on-failure: success
step_started build / Run on-always
step_finished build / Run on-always: success
step_finished build / Run on-success: skipped
step_finished build / Run on-cancelled: skipped
step_finished build / Run on-false: skipped
job_finished build: failure
)");
  CHECK(scripts(fake) == "build: fail\nbuild: on-failure\nbuild: on-always\n");
}

TEST_CASE("step outputs, GITHUB_ENV and continue-on-error reach later steps", "[job][fake]") {
  FakeBackend fake;
  fake.on("produce", {.outputs = {{"answer", "42"}}, .env = {{"FROM_ENV", "yes"}}});
  fake.on("flaky", {.exit_code = 1});
  auto run = run_on_fake(fake, R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - id: produce
        run: produce
      - id: flaky
        run: flaky
        continue-on-error: true
      - run: echo ${{ steps.produce.outputs.answer }} ${{ env.FROM_ENV }} ${{ steps.flaky.outcome }} ${{ steps.flaky.conclusion }} ${{ job.status }}
)");
  CHECK(run.exit_code == 0);
  CHECK(run.transcript == R"(job_started build
step_started build / Run produce
step_finished build / Run produce: success
step_started build / Run flaky
annotation build / Run flaky: error Process completed with exit code 1.
step_finished build / Run flaky: failure
step_started build / Run echo ${{ steps.produce.outputs.answer }} ${{ env.FROM_ENV }} ${{ steps.flaky.outcome }} ${{ steps.flaky.conclusion }} ${{ job.status }}
step_finished build / Run echo ${{ steps.produce.outputs.answer }} ${{ env.FROM_ENV }} ${{ steps.flaky.outcome }} ${{ steps.flaky.conclusion }} ${{ job.status }}: success
job_finished build: success
)");
  CHECK(scripts(fake) == "build: produce\nbuild: flaky\nbuild: echo 42 yes failure success success\n");
}

TEST_CASE("a step past its timeout-minutes fails the job and always() steps still run", "[job][fake]") {
  FakeBackend fake;
  fake.on("slow", {.duration = std::chrono::hours(2)});
  auto run = run_on_fake(fake, R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: slow
        timeout-minutes: 1
      - run: next
      - run: cleanup
        if: always()
)");
  CHECK(run.exit_code == 1);
  CHECK(run.transcript == R"(job_started build
step_started build / Run slow
annotation build / Run slow: error The action 'Run slow' has timed out after 1 minutes.
step_finished build / Run slow: failure
step_finished build / Run next: skipped
step_started build / Run cleanup
step_finished build / Run cleanup: success
job_finished build: failure
)");
  CHECK(scripts(fake) == "build: slow\nbuild: cleanup\n");
}

TEST_CASE("a Docker action step runs its container through ContainerActions", "[job][fake]") {
  FakeBackend fake;
  auto run = run_on_fake(fake, R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: docker://pipe-test/busybox:latest
        with:
          args: echo hi
)");
  CHECK(run.exit_code == 0);
  CHECK(run.transcript == R"(job_started build
step_started build / Run docker://pipe-test/busybox:latest
step_finished build / Run docker://pipe-test/busybox:latest: success
job_finished build: success
)");
  const auto containers = fake.containers();
  REQUIRE(containers.size() == 1);
  CHECK(containers[0].image == "pipe-test/busybox:latest");
  CHECK(containers[0].args == std::vector<std::string>{"echo", "hi"});
}
