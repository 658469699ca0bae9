// Real processes: exit codes, streams, exact environment, cwd, timeouts, cancel, big output.
#include <catch2/catch.hpp>

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "runner/backend/process.hpp"

using namespace pipeline::runner;
using namespace std::chrono_literals;

namespace {

class Collect final : public OutputSink {
public:
  void write(Stream stream, std::string_view bytes) override {
    std::lock_guard lock(m_mutex);
    (stream == Stream::out ? out : err).append(bytes);
  }
  std::string out;
  std::string err;

private:
  std::mutex m_mutex;
};

class Count final : public OutputSink {
public:
  void write(Stream stream, std::string_view bytes) override {
    (stream == Stream::out ? out : err) += bytes.size();
  }
  std::size_t out = 0;
  std::size_t err = 0;
};

ExecSpec sh(std::string script) {
  ExecSpec spec;
  spec.argv = {"/bin/sh", "-c", std::move(script)};
  spec.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}};
  return spec;
}

// A zombie waiting for a reaper that may never come (PID 1 in a container) counts as dead.
bool alive(int pid) {
  if (::kill(pid, 0) != 0) {
    return false;
  }
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  return close == std::string::npos || text.size() < close + 3 || text[close + 2] != 'Z';
}

std::vector<int> pids_in(const std::string& text) {
  std::vector<int> pids;
  std::istringstream in(text);
  int pid = 0;
  while (in >> pid) {
    pids.push_back(pid);
  }
  return pids;
}

bool all_dead_soon(const std::vector<int>& pids) {
  for (int i = 0; i < 100; ++i) {
    bool any = false;
    for (int pid : pids) {
      any = any || alive(pid);
    }
    if (!any) {
      return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

}  // namespace

TEST_CASE("exit codes are reported as the process ended", "[process]") {
  struct Row {
    std::string script;
    int code;
  };
  auto row = GENERATE(Row{"exit 0", 0}, Row{"exit 1", 1}, Row{"exit 42", 42}, Row{"kill -TERM $$", 128 + SIGTERM},
                      Row{"kill -KILL $$", 128 + SIGKILL});
  Collect sink;
  auto status = run_process(sh(row.script), sink);
  REQUIRE(status.ok());
  CHECK(status->code == row.code);
  CHECK_FALSE(status->timed_out);
  CHECK_FALSE(status->cancelled);
}

TEST_CASE("stdout and stderr arrive apart", "[process]") {
  Collect sink;
  auto status = run_process(sh("echo out1; echo err1 >&2; echo out2; echo err2 >&2"), sink);
  REQUIRE(status.ok());
  CHECK(sink.out == "out1\nout2\n");
  CHECK(sink.err == "err1\nerr2\n");
}

TEST_CASE("the environment is exactly the one given", "[process]") {
  ::setenv("PIPE_TEST_LEAK", "leaked", 1);
  ExecSpec spec;
  spec.argv = {"/usr/bin/env"};
  spec.env = {{"A", "1"}, {"B", "two words"}, {"EMPTY", ""}};
  Collect sink;
  auto status = run_process(spec, sink);
  REQUIRE(status.ok());
  CHECK(sink.out == "A=1\nB=two words\nEMPTY=\n");
}

TEST_CASE("programs are looked up on the PATH of the given environment", "[process]") {
  ExecSpec spec;
  spec.argv = {"env"};
  spec.env = {{"PATH", "/nonexistent:/usr/bin:/bin"}};
  Collect sink;
  REQUIRE(run_process(spec, sink).ok());
  CHECK(sink.out == "PATH=/nonexistent:/usr/bin:/bin\n");

  spec.argv = {"no-such-program-pipe"};
  auto missing = run_process(spec, sink);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "no-such-program-pipe: command not found");
}

TEST_CASE("the working directory is the one given", "[process]") {
  auto spec = sh("pwd");
  spec.cwd = "/usr/bin";
  Collect sink;
  REQUIRE(run_process(spec, sink).ok());
  CHECK(sink.out == "/usr/bin\n");

  spec.cwd = "/no/such/dir";
  auto missing = run_process(spec, sink);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "working directory '/no/such/dir' does not exist");
}

TEST_CASE("stdin is empty", "[process]") {
  Collect sink;
  REQUIRE(run_process(sh("cat; echo done"), sink).ok());
  CHECK(sink.out == "done\n");
}

TEST_CASE("a timeout kills the whole process tree", "[process]") {
  auto spec = sh("sleep 100 & echo $!; sleep 100 & echo $!; wait");
  spec.timeout = 300ms;
  Collect sink;
  auto status = run_process(spec, sink);
  REQUIRE(status.ok());
  CHECK(status->timed_out);
  CHECK_FALSE(status->cancelled);
  CHECK(status->code == 128 + SIGTERM);
  auto pids = pids_in(sink.out);
  REQUIRE(pids.size() == 2);
  CHECK(all_dead_soon(pids));
}

TEST_CASE("a process ignoring SIGTERM is killed after the grace period", "[process]") {
  auto spec = sh("trap '' TERM; echo ready; while :; do sleep 0.05; done");
  spec.timeout = 100ms;
  Collect sink;
  auto start = std::chrono::steady_clock::now();
  auto status = run_process(spec, sink);
  auto took = std::chrono::steady_clock::now() - start;
  REQUIRE(status.ok());
  CHECK(status->timed_out);
  CHECK(took >= 100ms + k_kill_grace);  // the grace was given before SIGKILL
}

TEST_CASE("cancel stops the process and its children are gone when it returns", "[process]") {
  auto spec = sh("echo $$; exec sleep 100");
  pipeline::CancelToken token;
  spec.cancel = &token;
  Collect sink;
  std::thread canceller([&] {
    std::this_thread::sleep_for(200ms);
    token.cancel();
  });
  auto status = run_process(spec, sink);
  canceller.join();
  REQUIRE(status.ok());
  CHECK(status->cancelled);
  CHECK_FALSE(status->timed_out);
  const auto pids = pids_in(sink.out);
  REQUIRE(pids.size() == 1);
  CHECK(all_dead_soon(pids));
}

TEST_CASE("50 MB on both streams never deadlocks", "[process]") {
  auto spec = sh("head -c 52428800 /dev/zero; head -c 52428800 /dev/zero >&2; "
                 "head -c 1000000 /dev/zero; head -c 1000000 /dev/zero >&2");
  Count sink;
  auto status = run_process(spec, sink);
  REQUIRE(status.ok());
  CHECK(status->code == 0);
  CHECK(sink.out == 52428800 + 1000000);
  CHECK(sink.err == 52428800 + 1000000);
}

TEST_CASE("a background child holding the pipes does not block the step", "[process]") {
  auto spec = sh("sleep 100 & echo started $!");
  Collect sink;
  auto status = run_process(spec, sink);
  REQUIRE(status.ok());
  CHECK(sink.out.rfind("started ", 0) == 0);
  auto pids = pids_in(sink.out.substr(8));
  REQUIRE(pids.size() == 1);
  // The step returned while its background child, still holding the pipes, lives on.
  CHECK(::kill(pids[0], 0) == 0);
  kill_process_group(pids[0] > 0 ? ::getpgid(pids[0]) : 0, 100ms);
  CHECK(all_dead_soon(pids));
}

TEST_CASE("children get default signal handling whatever pipe ignores or blocks", "[process]") {
  auto old_pipe = ::signal(SIGPIPE, SIG_IGN);
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigset_t old_mask;
  ::pthread_sigmask(SIG_BLOCK, &term, &old_mask);
  Collect sink;
  auto piped = run_process(sh("kill -PIPE $$"), sink);
  auto termed = run_process(sh("kill -TERM $$"), sink);
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::signal(SIGPIPE, old_pipe);
  REQUIRE(piped.ok());
  CHECK(piped->code == 128 + SIGPIPE);
  REQUIRE(termed.ok());
  CHECK(termed->code == 128 + SIGTERM);
}
