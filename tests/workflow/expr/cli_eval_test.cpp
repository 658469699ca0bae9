// `pipe eval` as a user runs it: a real process, real argv, real exit codes.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

struct Outcome {
  int status = -1;
  std::string out;
  std::string err;
};

std::string drain(int fd) {
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) {
    text.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  return text;
}

// Runs `pipe eval ARGS...`; outputs are small, so reading one pipe after the other cannot block.
Outcome pipe_eval(std::vector<std::string> args) {
  args.insert(args.begin(), {PIPE_EXE, "eval"});
  int out[2];
  int err[2];
  REQUIRE(pipe(out) == 0);
  REQUIRE(pipe(err) == 0);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(out[0]);
    close(err[0]);
    std::vector<char*> argv;
    for (auto& a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  Outcome o;
  o.out = drain(out[0]);
  o.err = drain(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  o.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

}  // namespace

TEST_CASE("pipe eval prints results as GitHub shows them", "[expr][cli]") {
  struct Row {
    std::vector<std::string> args;
    const char* out;
  };
  const Row rows[] = {
      {{"1 == 1 && 'yes'"}, "yes\n"},
      {{"1e15"}, "1E+15\n"},
      {{"null"}, "\n"},
      {{"0.1"}, "0.1\n"},
      {{"fromJSON('[1,2]')"}, "[\n  1,\n  2\n]\n"},
      {{"--json", "fromJSON('[1,2]')"}, "{\"kind\": \"Array\", \"value\": [1,2]}\n"},
      {{"--json", "'x'"}, "{\"kind\": \"String\", \"value\": \"x\"}\n"},
      {{"v${{ matrix.node }}-${{ matrix.os }}", "-c", "matrix={\"node\": 20, \"os\": \"linux\"}"}, "v20-linux\n"},
      {{"--json", "${{ matrix.node }}", "--context", "matrix={\"node\": 20}"}, "{\"kind\": \"Number\", \"value\": 20}\n"},
      {{"github.REF", "-c", "github={\"ref\": \"main\"}"}, "main\n"},
      {{"--json", "env.path", "-c", "env={\"PATH\": \"/bin\"}"}, "{\"kind\": \"Null\", \"value\": null}\n"},
      {{"env.PATH", "-c", "env={\"PATH\": \"/bin\"}"}, "/bin\n"},
      {{"success() && !cancelled() && always() && !failure()"}, "true\n"},
      {{"hashFiles('no-such-file-anywhere')"}, "\n"},
  };
  for (const auto& row : rows) {
    INFO(row.args.front());
    const Outcome o = pipe_eval(row.args);
    CHECK(o.status == 0);
    CHECK(o.out == row.out);
    CHECK(o.err.empty());
  }
}

TEST_CASE("pipe eval reads a context from a file", "[expr][cli]") {
  const std::string path = "/tmp/pipe-expr-ctx-" + std::to_string(getpid()) + ".json";
  std::ofstream(path) << R"({"event": {"commits": [{"id": "a"}, {"id": "b"}]}})";
  const Outcome o = pipe_eval({"join(github.event.commits.*.id, '+')", "-c", "github=@" + path});
  CHECK(o.status == 0);
  CHECK(o.out == "a+b\n");
  std::remove(path.c_str());
}

TEST_CASE("pipe eval errors exit 2 with GitHub's message", "[expr][cli]") {
  Outcome o = pipe_eval({"1 < )"});
  CHECK(o.status == 2);
  CHECK(o.out.empty());
  CHECK(o.err == "Unexpected symbol: ')'. Located at position 5 within expression: 1 < )\n");
  o = pipe_eval({"format('{0}')"});
  CHECK(o.status == 2);
  CHECK(o.err == "The following format string references more arguments than were supplied: {0}\n");
  o = pipe_eval({"1", "-c", "github={nope"});
  CHECK(o.status == 2);
  CHECK(o.err.rfind("pipe: error: --context github: invalid JSON", 0) == 0);
  o = pipe_eval({"1", "-c", "github"});
  CHECK(o.status == 2);
  CHECK(o.err == "pipe: error: --context expects NAME=JSON or NAME=@FILE, got 'github'\n");
  o = pipe_eval({"1", "-c", "github=@/no/such/file.json"});
  CHECK(o.status == 2);
  CHECK(o.err == "pipe: error: --context github: cannot read /no/such/file.json\n");
  o = pipe_eval({"githb.ref", "-c", "githb={\"ref\": \"x\"}"});
  CHECK(o.status == 2);
  CHECK(o.err ==
        "pipe: error: --context: unknown context 'githb' (known: github, env, vars, job, jobs, steps, runner, "
        "secrets, strategy, matrix, needs, inputs)\n");
}

TEST_CASE("pipe eval takes context names in any case, and '--' before an expression starting with '-'",
          "[expr][cli]") {
  Outcome o = pipe_eval({"github.ref", "-c", "GitHub={\"ref\": \"x\"}"});
  CHECK(o.status == 0);
  CHECK(o.out == "x\n");
  o = pipe_eval({"--", "-Infinity"});
  CHECK(o.status == 0);
  CHECK(o.out == "-Infinity\n");
}
