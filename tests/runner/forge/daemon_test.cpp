// `pipe runner register` and `pipe runner daemon` against the forge stand-in: the real binary,
// real host processes. Each scenario registers, queues tasks, runs the daemon and reads what
// the stand-in recorded.
#include <catch2/catch.hpp>

#include "forge_runner.hpp"

using namespace forge_test;

TEST_CASE("register writes a private registration file and declares labels by name", "[forge][runner]") {
  ForgeStandin standin;
  Runner runner(standin);
  INFO(runner.register_output);
  REQUIRE(runner.registered);
  const auto file = runner.dir.path / ".runner";
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  const auto saved = json::parse(pipeline::test::read_file(file));
  CHECK(saved["uuid"] == "standin-runner-uuid");
  CHECK(saved["labels"] == json::array({"linux:host"}));
  CHECK(standin.registered()["labels"] == json::array({"linux"}));
  CHECK(pipeline::test::read_file(file).find(ForgeStandin::registration_token()) == std::string::npos);
}

TEST_CASE("register without a token fails with a usage error", "[forge][runner]") {
  pipeline::test::TempDir dir("forge-noreg");
  const auto r = pipeline::test::run_process(
      {PIPE_EXE, "runner", "register", "--no-interactive", "--instance", "http://127.0.0.1:9"}, dir.path.string());
  CHECK(r.exit_code == 2);
  CHECK(r.err == "pipe runner register: a registration token is required: --token, --token-file or PIPE_RUNNER_TOKEN\n");
  CHECK_FALSE(fs::exists(dir.path / ".runner"));
}

TEST_CASE("register reads the token from --token-file", "[forge][runner]") {
  ForgeStandin standin;
  pipeline::test::TempDir dir("forge-tokenfile");
  pipeline::test::write_file(dir.path / "token", ForgeStandin::registration_token() + "\n");
  const auto r = pipeline::test::run_process({PIPE_EXE, "runner", "register", "--no-interactive", "--instance",
                                              standin.address(), "--token-file", (dir.path / "token").string(),
                                              "--labels", "ubuntu-latest:docker://img,linux"},
                                             dir.path.string());
  INFO(r.out + r.err);
  CHECK(r.exit_code == 0);
  CHECK(standin.registered()["labels"] == json::array({"ubuntu-latest", "linux"}));
  const auto saved = json::parse(pipeline::test::read_file(dir.path / ".runner"));
  CHECK(saved["labels"] == json::array({"ubuntu-latest:docker://img", "linux:host"}));
}

TEST_CASE("a refused registration says why and writes nothing", "[forge][runner]") {
  ForgeStandin standin;
  pipeline::test::TempDir dir("forge-refused");
  const auto r = pipeline::test::run_process(
      {PIPE_EXE, "runner", "register", "--no-interactive", "--instance", standin.address(), "--token", "wrong"},
      dir.path.string());
  CHECK(r.exit_code == 1);
  CHECK(r.err ==
        "pipe runner register: runner.v1.RunnerService/Register: unauthenticated: runner registration token not "
        "found (HTTP 401)\n");
  CHECK_FALSE(fs::exists(dir.path / ".runner"));
}

TEST_CASE("daemon --once runs a passing task and reports rows, steps and the result", "[forge][runner]") {
  ForgeStandin standin;
  Runner runner(standin);
  REQUIRE(runner.registered);
  auto t = task(11, "      - run: echo hello from step one\n      - run: echo \"secret is ${{ secrets.MY_SECRET }}\"\n");
  t.secrets = {{"MY_SECRET", "hunter2-very-secret"}};
  standin.enqueue(t);
  const auto r = runner.once();
  INFO(r.out + r.err);
  CHECK(r.exit_code == 0);
  REQUIRE(standin.wait_finished(11, k_limit));
  const auto record = standin.record(11);
  const std::string log = joined(record.rows);
  INFO(log);
  CHECK(standin.result(11) == "RESULT_SUCCESS");
  CHECK(log.find("hello from step one") != std::string::npos);
  CHECK(log.find("secret is ***") != std::string::npos);
  CHECK(log.find("hunter2-very-secret") == std::string::npos);
  CHECK((r.out + r.err).find("hunter2-very-secret") == std::string::npos);
  const auto& steps = record.state["steps"];
  REQUIRE(steps.size() == 2);
  CHECK(steps[0]["result"] == "RESULT_SUCCESS");
  CHECK(steps[1]["result"] == "RESULT_SUCCESS");
  const auto index = std::stoll(steps[0]["logIndex"].get<std::string>());
  const auto length = std::stoll(steps[0]["logLength"].get<std::string>());
  REQUIRE(length >= 1);
  bool found = false;
  for (auto i = index; i < index + length; ++i) {
    found = found || record.rows.at(static_cast<std::size_t>(i)).find("hello from step one") != std::string::npos;
  }
  CHECK(found);
  CHECK(standin.declared()["labels"] == json::array({"linux"}));
  // The workspace went with the task.
  CHECK(fs::is_empty(runner.dir.path / "work"));
}

TEST_CASE("a failing task reports the failed step and skips the rest", "[forge][runner]") {
  ForgeStandin standin;
  Runner runner(standin);
  REQUIRE(runner.registered);
  standin.enqueue(task(12, "      - run: exit 3\n      - run: echo never printed\n"));
  const auto r = runner.once();
  INFO(r.out + r.err);
  REQUIRE(standin.wait_finished(12, k_limit));
  const auto record = standin.record(12);
  CHECK(standin.result(12) == "RESULT_FAILURE");
  CHECK(record.state["steps"][0]["result"] == "RESULT_FAILURE");
  CHECK(record.state["steps"][1]["result"] == "RESULT_SKIPPED");
  CHECK(joined(record.rows).find("never printed") == std::string::npos);
}

TEST_CASE("needs, vars and the github context feed expressions; job outputs reach the server", "[forge][runner]") {
  ForgeStandin standin;
  Runner runner(standin);
  REQUIRE(runner.registered);
  auto t = task(13,
                "      - run: echo \"from needs ${{ needs.prep.outputs.color }} ${{ needs.prep.result }}\"\n"
                "      - run: echo \"repo ${{ github.repository }} var ${{ vars.GREETING }}\"\n"
                "      - id: s\n        run: echo shade=dark >> \"$GITHUB_OUTPUT\"\n",
                "    needs: prep\n    outputs:\n      shade: ${{ steps.s.outputs.shade }}\n");
  t.needs = {{"prep", {{"result", "RESULT_SUCCESS"}, {"outputs", {{"color", "blue"}}}}}};
  t.vars = {{"GREETING", "hi"}};
  standin.enqueue(t);
  const auto r = runner.once();
  INFO(r.out + r.err);
  REQUIRE(standin.wait_finished(13, k_limit));
  const auto record = standin.record(13);
  const std::string log = joined(record.rows);
  INFO(log);
  CHECK(standin.result(13) == "RESULT_SUCCESS");
  CHECK(log.find("from needs blue success") != std::string::npos);
  CHECK(log.find("repo team/app var hi") != std::string::npos);
  CHECK(record.outputs == std::map<std::string, std::string>{{"shade", "dark"}});
}

TEST_CASE("log rows are resent from the server's ack_index after failed and lost calls", "[forge][runner]") {
  ForgeStandin standin;
  Runner runner(standin);
  REQUIRE(runner.registered);
  standin.fail_next("UpdateLog", 2, pipeline::test::Fault::unavailable);
  standin.fail_next("UpdateLog", 2, pipeline::test::Fault::lost_answer);
  standin.fail_next("UpdateTask", 1, pipeline::test::Fault::unavailable);
  standin.fail_next("FetchTask", 1, pipeline::test::Fault::unavailable);
  standin.enqueue(task(14, "      - run: for i in $(seq 1 300); do echo \"line $i\"; done\n"));
  const auto r = runner.once();
  INFO(r.out + r.err);
  REQUIRE(standin.wait_finished(14, k_limit));
  const auto record = standin.record(14);
  std::vector<std::string> lines;
  for (const auto& row : record.rows) {
    if (row.rfind("line ", 0) == 0) {
      lines.push_back(row);
    }
  }
  REQUIRE(lines.size() == 300);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    CHECK(lines[i] == "line " + std::to_string(i + 1));
  }
  CHECK(standin.result(14) == "RESULT_SUCCESS");
  CHECK(record.no_more);
}

TEST_CASE("capacity 2 runs two tasks at once", "[forge][runner]") {
  ForgeStandin standin;
  Runner runner(standin, "  capacity: 2\n");
  REQUIRE(runner.registered);
  const auto meet = runner.dir.path / "meet";
  fs::create_directories(meet);
  // Each task waits for the other's mark: they pass only when both run at the same time.
  auto wait_for = [&meet](const std::string& mine, const std::string& other) {
    return "      - run: touch " + (meet / mine).string() + "; for i in $(seq 1 600); do [ -f " +
           (meet / other).string() + " ] && exit 0; sleep 0.1; done; exit 1\n";
  };
  standin.enqueue(task(21, wait_for("a", "b")));
  standin.enqueue(task(22, wait_for("b", "a")));
  const auto r = runner.once();
  INFO(r.out + r.err);
  REQUIRE(standin.wait_finished(21, k_limit));
  REQUIRE(standin.wait_finished(22, k_limit));
  CHECK(standin.result(21) == "RESULT_SUCCESS");
  CHECK(standin.result(22) == "RESULT_SUCCESS");
}

TEST_CASE("a task cancelled on the server is cancelled and reported so", "[forge][runner]") {
  ForgeStandin standin;
  Runner runner(standin);
  REQUIRE(runner.registered);
  standin.enqueue(task(15, "      - run: echo waiting; while true; do sleep 0.1; done\n      - run: echo after\n"));
  const pid_t pid = runner.start();
  REQUIRE(standin.wait_row(15, "waiting", k_limit));
  standin.cancel(15);
  REQUIRE(standin.wait_finished(15, k_limit));
  CHECK(pipeline::test::wait_child(pid, k_limit) == 0);
  const auto record = standin.record(15);
  INFO(pipeline::test::read_file(runner.dir.path / "daemon.log"));
  CHECK(standin.result(15) == "RESULT_CANCELLED");
  CHECK(record.state["steps"][0]["result"] == "RESULT_CANCELLED");
  CHECK(joined(record.rows).find("\nafter\n") == std::string::npos);
}

TEST_CASE("SIGTERM stops fetching and reports the running task cancelled", "[forge][runner]") {
  ForgeStandin standin;
  Runner runner(standin, "  shutdown_timeout: 0s\n");
  REQUIRE(runner.registered);
  standin.enqueue(task(16, "      - run: echo waiting; while true; do sleep 0.1; done\n"));
  const pid_t pid = runner.start();
  REQUIRE(standin.wait_row(16, "waiting", k_limit));
  standin.enqueue(task(17, "      - run: echo should not start\n"));
  ::kill(pid, SIGTERM);
  CHECK(pipeline::test::wait_child(pid, k_limit) == 0);
  INFO(pipeline::test::read_file(runner.dir.path / "daemon.log"));
  REQUIRE(standin.wait_finished(16, std::chrono::seconds(1)));
  CHECK(standin.result(16) == "RESULT_CANCELLED");
  CHECK(standin.queued() == 1);  // the task queued after SIGTERM stays for another runner
  CHECK(fs::is_empty(runner.dir.path / "work"));
}

TEST_CASE("a docker:// label runs the task in a container of that image", "[forge][runner][docker]") {
  const char* image = "pipe-test/busybox:latest";
  if (pipeline::test::run_process({"/usr/bin/docker", "image", "inspect", image}).exit_code != 0) {
    WARN(std::string("skipped: image ") + image + " is missing (run tests/images/build.sh) or no engine answers");
    return;
  }
  ForgeStandin standin;
  Runner runner(standin, std::string("  labels: [\"linux:docker://") + image + "\"]\n");
  REQUIRE(runner.registered);
  standin.enqueue(task(31, "      - run: test -f /.dockerenv && echo inside-a-container\n"));
  const auto r = runner.once();
  INFO(r.out + r.err);
  REQUIRE(standin.wait_finished(31, k_limit));
  const auto record = standin.record(31);
  INFO(joined(record.rows));
  CHECK(standin.result(31) == "RESULT_SUCCESS");
  CHECK(joined(record.rows).find("inside-a-container") != std::string::npos);
}

TEST_CASE("100k log lines reach the server in a few hundred requests", "[forge][runner]") {
  ForgeStandin standin;
  Runner runner(standin);
  REQUIRE(runner.registered);
  standin.enqueue(task(41, "      - run: seq 1 100000\n"));
  const auto r = runner.once();
  REQUIRE(standin.wait_finished(41, k_limit));
  const auto record = standin.record(41);
  CHECK(standin.result(41) == "RESULT_SUCCESS");
  REQUIRE(record.rows.size() >= 100000);
  CHECK(std::find(record.rows.begin(), record.rows.end(), "100000") != record.rows.end());
  INFO("UpdateLog calls: " << record.update_log_calls);
  CHECK(record.update_log_calls <= 300);
}

TEST_CASE("actions/checkout finds the task's repository fetched from the forge", "[forge][runner]") {
  ForgeStandin standin;
  Runner runner(standin);
  REQUIRE(runner.registered);
  // The forge's git server: a bare repository at <server_url>/team/app.git with one commit.
  const auto server = runner.dir.path / "git";
  const auto source = runner.dir.path / "source";
  fs::create_directories(server / "team");
  fs::create_directories(source);
  pipeline::test::write_file(source / "README.md", "hello from the forge\n");
  const std::string git = "/usr/bin/git";
  const std::vector<std::vector<std::string>> commands = {
      {git, "init", "-q", "--bare", (server / "team" / "app.git").string()},
      {git, "-C", source.string(), "init", "-q"},
      {git, "-C", source.string(), "add", "README.md"},
      {git, "-C", source.string(), "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "one"},
      {git, "-C", source.string(), "push", "-q", (server / "team" / "app.git").string(), "HEAD:refs/heads/main"}};
  for (const auto& command : commands) {
    REQUIRE(pipeline::test::run_process(command).exit_code == 0);
  }
  const auto sha = pipeline::test::run_process({git, "-C", source.string(), "rev-parse", "HEAD"}).out.substr(0, 40);
  auto t = task(51, "      - uses: actions/checkout@v4\n      - run: cat README.md\n");
  t.context["server_url"] = "file://" + server.string();
  t.context["sha"] = sha;
  standin.enqueue(t);
  const auto r = runner.once();
  INFO(r.out + r.err);
  REQUIRE(standin.wait_finished(51, k_limit));
  const std::string log = joined(standin.record(51).rows);
  INFO(log);
  CHECK(standin.result(51) == "RESULT_SUCCESS");
  CHECK(log.find("pipe: fetched team/app at " + sha) != std::string::npos);
  CHECK(log.find("hello from the forge") != std::string::npos);
}

TEST_CASE("the daemon without a registration says how to get one", "[forge][runner]") {
  pipeline::test::TempDir dir("forge-unregistered");
  const auto r = pipeline::test::run_process({PIPE_EXE, "runner", "daemon", "--once"}, dir.path.string());
  CHECK(r.exit_code == 1);
  CHECK(r.err == "pipe runner: .runner: not registered (run `pipe runner register`)\n");
}
