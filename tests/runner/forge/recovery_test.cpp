// A daemon killed with SIGKILL in the middle of a task: the next start reports that task failed,
// so the forge never keeps a task running that no runner runs.
#include <catch2/catch.hpp>

#include "forge_runner.hpp"

using namespace forge_test;

TEST_CASE("a task of a daemon killed with SIGKILL is reported failed at the next start", "[forge][runner]") {
  ForgeStandin standin;
  Runner runner(standin);
  REQUIRE(runner.registered);
  // The step ends by itself: a killed daemon cannot stop the host processes it started.
  standin.enqueue(task(71, "      - run: echo waiting; for i in $(seq 1 50); do sleep 0.1; done\n"));
  const pid_t killed = runner.start();
  REQUIRE(standin.wait_row(71, "waiting", k_limit));
  const auto ledger = runner.dir.path / ".runner.tasks";
  REQUIRE(fs::exists(ledger / (std::to_string(killed) + "-71.json")));
  const auto record = json::parse(pipeline::test::read_file(ledger / (std::to_string(killed) + "-71.json")));
  CHECK(record["task_id"] == 71);
  CHECK(record["runner"] == "test-runner");
  CHECK(record.dump().find("task-token") == std::string::npos);
  ::kill(killed, SIGKILL);
  (void)pipeline::test::wait_child(killed, k_limit);
  CHECK((standin.result(71).empty() || standin.result(71) == "RESULT_UNSPECIFIED"));  // the server thinks it runs

  const pid_t next = runner.start();
  const bool finished = standin.wait_finished(71, k_limit);
  ::kill(next, SIGTERM);
  CHECK(pipeline::test::wait_child(next, k_limit) == 0);
  const std::string daemon_log = pipeline::test::read_file(runner.dir.path / "daemon.log");
  INFO(daemon_log);
  REQUIRE(finished);
  CHECK(standin.result(71) == "RESULT_FAILURE");
  const auto rows = standin.record(71).rows;
  INFO(joined(rows));
  REQUIRE(!rows.empty());
  CHECK(rows.front().find("runs task 71") != std::string::npos);  // the rows sent before the kill stay
  CHECK(rows.back() == "pipe: the runner stopped while running this job; it is reported failed");
  CHECK(daemon_log.find("task 71: left running by a stopped runner; reported failed") != std::string::npos);
  CHECK(fs::is_empty(ledger));
}

TEST_CASE("a finished task leaves no record behind", "[forge][runner]") {
  ForgeStandin standin;
  Runner runner(standin);
  REQUIRE(runner.registered);
  standin.enqueue(task(72, "      - run: echo done\n"));
  const auto r = runner.once();
  INFO(r.out + r.err);
  REQUIRE(standin.wait_finished(72, k_limit));
  CHECK(standin.result(72) == "RESULT_SUCCESS");
  CHECK(fs::is_empty(runner.dir.path / ".runner.tasks"));
}
