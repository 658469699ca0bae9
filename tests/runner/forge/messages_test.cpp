// The runner.v1 messages in proto3 JSON, labels, durations, the daemon config and task state.
#include <catch2/catch.hpp>

#include "runner/forge/backoff.hpp"
#include "runner/forge/daemon_config.hpp"
#include "runner/forge/labels.hpp"
#include "runner/forge/messages.hpp"
#include "runner/forge/task_log.hpp"
#include "runner/forge/task_workflow.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

namespace forge = pipeline::runner::forge;
using nlohmann::json;

TEST_CASE("labels parse as act_runner writes them", "[forge]") {
  auto docker = forge::parse_label("ubuntu-latest:docker://pipe-test/busybox:latest");
  REQUIRE(docker);
  CHECK(docker->name == "ubuntu-latest");
  CHECK(docker->schema == forge::LabelSchema::docker);
  CHECK(docker->image == "pipe-test/busybox:latest");
  auto host = forge::parse_label("linux:host");
  REQUIRE(host);
  CHECK(host->schema == forge::LabelSchema::host);
  auto bare = forge::parse_label("self-hosted");
  REQUIRE(bare);
  CHECK(bare->schema == forge::LabelSchema::host);
  auto bad = forge::parse_label("x:vm:thing");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "unsupported schema 'vm' in label 'x:vm:thing' (use NAME:host or NAME:docker://IMAGE)");
  auto list = forge::parse_label_list(" a:host, b:docker://img ,a:docker://other");
  REQUIRE(list);
  CHECK(forge::label_names(*list) == std::vector<std::string>{"a", "b"});
  CHECK(forge::to_string(list->at(1)) == "b:docker://img");
}

TEST_CASE("durations are Go's", "[forge]") {
  CHECK(forge::parse_duration("2s").value() == std::chrono::seconds(2));
  CHECK(forge::parse_duration("1m30s").value() == std::chrono::seconds(90));
  CHECK(forge::parse_duration("250ms").value() == std::chrono::milliseconds(250));
  CHECK(forge::parse_duration("3h").value() == std::chrono::hours(3));
  CHECK(forge::parse_duration("0").value() == std::chrono::milliseconds(0));
  CHECK_FALSE(forge::parse_duration("2 weeks"));
}

TEST_CASE("the daemon config reads act_runner's layout and points at mistakes", "[forge]") {
  pipeline::test::TempDir dir("forge-config");
  const auto file = (dir.path / "config.yml").string();
  pipeline::test::write_file(file, "runner:\n  capacity: 3\n  fetch_interval: 5s\n  labels: [\"a:host\"]\n"
                                   "  envs:\n    X: y\ncontainer:\n  privileged: true\n");
  auto config = forge::load_daemon_config(file);
  REQUIRE(config);
  CHECK(config->capacity == 3);
  CHECK(config->fetch_interval == std::chrono::seconds(5));
  CHECK(config->fetch_interval_max == std::chrono::seconds(60));
  CHECK(config->labels == std::vector<std::string>{"a:host"});
  CHECK(config->envs.at("X") == "y");
  CHECK(config->container.privileged);

  pipeline::test::write_file(file, "runner:\n  capacity: 0\n");
  auto zero = forge::load_daemon_config(file);
  REQUIRE_FALSE(zero);
  CHECK(zero.error().message == file + ":2:13: 'capacity' must be at least 1");
  pipeline::test::write_file(file, "runner:\n  timeout: soon\n");
  auto soon = forge::load_daemon_config(file);
  REQUIRE_FALSE(soon);
  CHECK(soon.error().message == file + ":2:12: 'timeout': 'soon' is not a duration (write e.g. 2s, 1m30s, 3h)");
}

TEST_CASE("the example config loads and has every setting", "[forge]") {
  pipeline::test::TempDir dir("forge-example");
  const auto file = (dir.path / "config.yml").string();
  pipeline::test::write_file(file, forge::example_config());
  auto config = forge::load_daemon_config(file);
  REQUIRE(config);
  CHECK(config->capacity == 1);
  for (const char* key : {"capacity", "fetch_interval", "fetch_interval_max", "fetch_timeout", "timeout",
                          "shutdown_timeout", "labels", "envs", "env_file", "network", "privileged", "options",
                          "valid_volumes", "insecure"}) {
    CHECK(forge::example_config().find(std::string(key) + ":") != std::string::npos);
  }
}

TEST_CASE("messages use proto3 JSON names and forms", "[forge]") {
  forge::TaskState state;
  state.id = 12;
  state.result = forge::TaskResult::failure;
  state.steps.push_back({0, forge::TaskResult::success, std::nullopt, std::nullopt, 3, 4});
  const json body = forge::update_task_request(state, {{"out", "v"}});
  CHECK(body["state"]["id"] == "12");
  CHECK(body["state"]["result"] == "RESULT_FAILURE");
  CHECK(body["state"]["steps"][0]["logIndex"] == "3");
  CHECK(body["state"]["steps"][0]["logLength"] == "4");
  CHECK(body["outputs"]["out"] == "v");
  const json log = forge::update_log_request(5, 100, {{forge::Clock::time_point{}, "line"}}, true);
  CHECK(log["taskId"] == "5");
  CHECK(log["index"] == "100");
  CHECK(log["noMore"] == true);
  CHECK(log["rows"][0]["time"] == "1970-01-01T00:00:00.000000000Z");
  CHECK(forge::fetch_request(0)["tasksVersion"] == "0");

  // Readers take strings or numbers for int64, camelCase or proto names, enum names or numbers.
  const json answer = {{"tasks_version", 9},
                       {"task",
                        {{"id", "4"},
                         {"workflowPayload", "am9iczoge30K"},
                         {"needs", {{"a", {{"result", 2}, {"outputs", {{"k", "v"}}}}}}},
                         {"secrets", {{"S", "x"}}}}}};
  auto fetched = forge::parse_fetch_answer(answer);
  REQUIRE(fetched);
  CHECK(fetched->tasks_version == 9);
  REQUIRE(fetched->task);
  CHECK(fetched->task->id == 4);
  CHECK(fetched->task->workflow_payload == "jobs: {}\n");
  CHECK(fetched->task->needs.at("a").result == forge::TaskResult::failure);
  CHECK(fetched->task->needs.at("a").outputs.at("k") == "v");
  CHECK(forge::parse_ack_index(json{{"ackIndex", "17"}}).value() == 17);
  CHECK_FALSE(forge::parse_ack_index(json{{"ackIndex", "x"}}));
}

TEST_CASE("a task's workflow loses its needs and tells its step count", "[forge]") {
  auto ready = forge::prepare_task_workflow(
      "on: push\njobs:\n  build:\n    needs: [prep]\n    runs-on: linux\n    steps:\n      - run: a\n      - run: b\n");
  REQUIRE(ready);
  CHECK(ready->job_id == "build");
  CHECK(ready->step_count == 2);
  CHECK(ready->yaml.find("needs") == std::string::npos);
  auto two = forge::prepare_task_workflow("jobs:\n  a: {}\n  b: {}\n");
  REQUIRE_FALSE(two);
  CHECK(two.error().message == "the task's workflow must hold exactly one job, it holds 2");
}

TEST_CASE("the task log counts rows per step and drops what the server acknowledged", "[forge]") {
  forge::TaskLog log(3, 2);
  log.add_row("setup");
  log.step_started(0, forge::Clock::now());
  log.add_row("one");
  log.add_row("two");
  log.step_finished(0, forge::TaskResult::success, forge::Clock::now());
  log.step_finished(1, forge::TaskResult::skipped, forge::Clock::now());
  auto state = log.state();
  CHECK(state.steps[0].log_index == 1);
  CHECK(state.steps[0].log_length == 2);
  CHECK(state.steps[1].log_index == 3);
  CHECK(state.steps[1].log_length == 0);
  CHECK(log.pending_rows(100).rows.size() == 3);
  REQUIRE(log.acknowledge(2));
  const auto batch = log.pending_rows(100);
  CHECK(batch.index == 2);
  REQUIRE(batch.rows.size() == 1);
  CHECK(batch.rows[0].content == "two");
  CHECK_FALSE(log.acknowledge(1));  // rows the server had cannot come back
  log.finish(forge::TaskResult::success);
  CHECK(log.state().result == forge::TaskResult::success);
}

TEST_CASE("backoff doubles after failures up to its ceiling and returns to the base", "[forge]") {
  using std::chrono::milliseconds;
  pipeline::runner::forge::Backoff backoff(milliseconds(1000), milliseconds(5000));
  const auto first = backoff.after_failure();
  CHECK(first >= milliseconds(1600));
  CHECK(first <= milliseconds(2400));
  for (int i = 0; i < 10; ++i) {
    CHECK(backoff.after_failure() <= milliseconds(5000));
  }
  CHECK(backoff.after_failure() >= milliseconds(4000));
  const auto base = backoff.after_success();
  CHECK(base >= milliseconds(800));
  CHECK(base <= milliseconds(1200));
  CHECK(backoff.failures() == 0);
}
