// Several jobs through the real engine on a FakeBackend: `needs` results and outputs, matrix
// combinations reaching the backend, and cancellation of a running step.
#include <csignal>

#include <catch2/catch.hpp>

#include "runner/job/engine_run.hpp"

using namespace pipeline::test;

TEST_CASE("needs: outputs and results of the jobs a job needs", "[job][fake]") {
  FakeBackend fake;
  fake.on("produce", {.outputs = {{"v", "7"}}});
  fake.on("break", {.exit_code = 2});
  auto run = run_on_fake(fake, R"(on: push
jobs:
  first:
    runs-on: ubuntu-latest
    outputs:
      v: ${{ steps.p.outputs.v }}
    steps:
      - id: p
        run: produce
  second:
    needs: first
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ needs.first.outputs.v }} ${{ needs.first.result }}
      - run: break
  skipped:
    needs: second
    runs-on: ubuntu-latest
    steps:
      - run: never
  always:
    needs: second
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ needs.second.result }}
  on-failure:
    needs: [first, second]
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ needs.first.result }} ${{ needs.second.result }}
)");
  CHECK(run.exit_code == 1);
  CHECK(run.transcript == R"(job_started first
step_started first / Run produce
step_finished first / Run produce: success
job_finished first: success
job_started second
step_started second / Run echo ${{ needs.first.outputs.v }} ${{ needs.first.result }}
step_finished second / Run echo ${{ needs.first.outputs.v }} ${{ needs.first.result }}: success
step_started second / Run break
annotation second / Run break: error Process completed with exit code 2.
step_finished second / Run break: failure
job_finished second: failure
job_finished skipped: skipped
job_started always
step_started always / Run echo ${{ needs.second.result }}
step_finished always / Run echo ${{ needs.second.result }}: success
job_finished always: success
job_started on-failure
step_started on-failure / Run echo ${{ needs.first.result }} ${{ needs.second.result }}
step_finished on-failure / Run echo ${{ needs.first.result }} ${{ needs.second.result }}: success
job_finished on-failure: success
)");
  CHECK(scripts(fake) == R"(first: produce
second: echo 7 success
second: break
always: echo failure
on-failure: echo success failure
)");
  using pipeline::runner::engine::NodeResult;
  CHECK(run.result.status == pipeline::k_exit_job_failed);
  CHECK(run.result.signal == 0);
  CHECK(run.result.errors.empty());
  CHECK_FALSE(run.result.run_id.empty());
  std::vector<std::pair<std::string, NodeResult>> jobs;
  for (const auto& job : run.result.jobs) {
    jobs.emplace_back(job.name, job.result);
  }
  CHECK(jobs == std::vector<std::pair<std::string, NodeResult>>{{"first", NodeResult::success},
                                                                {"second", NodeResult::failure},
                                                                {"skipped", NodeResult::skipped},
                                                                {"always", NodeResult::success},
                                                                {"on-failure", NodeResult::success}});
}

TEST_CASE("matrix combinations reach the backend as jobs of their own", "[job][fake]") {
  FakeBackend fake;
  auto run = run_on_fake(fake, R"(on: push
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        os: [linux, mac]
        n: [1, 2]
        exclude:
          - os: mac
            n: 2
        include:
          - os: bsd
            n: 9
    steps:
      - run: echo ${{ matrix.os }}-${{ matrix.n }} ${{ strategy.job-index }}/${{ strategy.job-total }}
)");
  CHECK(run.exit_code == 0);
  CHECK(run.transcript == R"(job_started test (linux, 1)
step_started test (linux, 1) / Run echo ${{ matrix.os }}-${{ matrix.n }} ${{ strategy.job-index }}/${{ strategy.job-total }}
step_finished test (linux, 1) / Run echo ${{ matrix.os }}-${{ matrix.n }} ${{ strategy.job-index }}/${{ strategy.job-total }}: success
job_finished test (linux, 1): success
job_started test (linux, 2)
step_started test (linux, 2) / Run echo ${{ matrix.os }}-${{ matrix.n }} ${{ strategy.job-index }}/${{ strategy.job-total }}
step_finished test (linux, 2) / Run echo ${{ matrix.os }}-${{ matrix.n }} ${{ strategy.job-index }}/${{ strategy.job-total }}: success
job_finished test (linux, 2): success
job_started test (mac, 1)
step_started test (mac, 1) / Run echo ${{ matrix.os }}-${{ matrix.n }} ${{ strategy.job-index }}/${{ strategy.job-total }}
step_finished test (mac, 1) / Run echo ${{ matrix.os }}-${{ matrix.n }} ${{ strategy.job-index }}/${{ strategy.job-total }}: success
job_finished test (mac, 1): success
job_started test (bsd, 9)
step_started test (bsd, 9) / Run echo ${{ matrix.os }}-${{ matrix.n }} ${{ strategy.job-index }}/${{ strategy.job-total }}
step_finished test (bsd, 9) / Run echo ${{ matrix.os }}-${{ matrix.n }} ${{ strategy.job-index }}/${{ strategy.job-total }}: success
job_finished test (bsd, 9): success
)");
  CHECK(scripts(fake) == R"(test: echo linux-1 0/4
test: echo linux-2 1/4
test: echo mac-1 2/4
test: echo bsd-9 3/4
)");
  std::string names;
  for (const auto& job : fake.jobs()) {
    names += job.display_name + "\n";
  }
  CHECK(names == R"(test (linux, 1)
test (linux, 2)
test (mac, 1)
test (bsd, 9)
)");
}

TEST_CASE("an interrupted run cancels the running step; always() steps still run", "[job][fake]") {
  FakeBackend fake;
  pipeline::runner::engine::Interruption interruption;
  fake.on("wait", {.until_cancelled = true, .on_start = [&interruption] { interruption.interrupt(SIGINT); }});
  auto run = run_on_fake(fake, R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: wait
      - run: next
      - run: cleanup
        if: always()
      - run: on-cancel
        if: cancelled()
  later:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: never
)", interruption);
  CHECK(run.exit_code == 130);
  CHECK(run.result.status == pipeline::k_exit_interrupted);
  CHECK(run.result.signal == SIGINT);
  CHECK(run.transcript == R"(job_started build
step_started build / Run wait
annotation build / Run wait: error The operation was canceled.
step_finished build / Run wait: cancelled
step_finished build / Run next: skipped
step_started build / Run cleanup
step_finished build / Run cleanup: success
step_started build / Run on-cancel
step_finished build / Run on-cancel: success
job_finished build: cancelled
job_finished later: skipped
)");
  CHECK(scripts(fake) == R"(build: wait
build: cleanup
build: on-cancel
)");
}
