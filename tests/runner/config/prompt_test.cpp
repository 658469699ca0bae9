// `-s NAME` with no such variable asks on the terminal, without echo (driven through a pty).
#include <catch2/catch.hpp>

#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>

#include <chrono>
#include <cstdlib>
#include <string>

#include "support/vault_stub.hpp"

namespace {

/// Reads from `fd` until `until` appears or two seconds pass; returns everything read.
std::string read_until(int fd, const std::string& until, std::string seen = "") {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  char buffer[512];
  while (seen.find(until) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) {
      continue;
    }
    const auto got = read(fd, buffer, sizeof buffer);
    if (got <= 0) {
      break;
    }
    seen.append(buffer, static_cast<std::size_t>(got));
  }
  return seen;
}

}  // namespace

TEST_CASE("a secret named by -s NAME asks on a terminal without echo", "[secrets]") {
  const std::string repo = pipeline::test::make_temp_dir("prompt");
  ::unsetenv("ASKED_SECRET_FOR_PIPE");
  ::setenv("XDG_CONFIG_HOME", (repo + "/xdg").c_str(), 1);
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  REQUIRE(pid >= 0);
  if (pid == 0) {
    execl(PIPE_EXE, PIPE_EXE, "secrets", "list", "-C", repo.c_str(), "-s", "ASKED_SECRET_FOR_PIPE", nullptr);
    _exit(127);
  }
  std::string seen = read_until(master, "secret ASKED_SECRET_FOR_PIPE: ");
  CHECK_THAT(seen, Catch::Contains("secret ASKED_SECRET_FOR_PIPE: "));
  const std::string typed = "typed-value-4321\n";
  REQUIRE(write(master, typed.data(), typed.size()) == static_cast<ssize_t>(typed.size()));
  seen = read_until(master, "terminal", seen);
  int status = 0;
  waitpid(pid, &status, 0);
  close(master);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_THAT(seen, Catch::Contains("ASKED_SECRET_FOR_PIPE") && Catch::Contains("terminal"));
  CHECK(seen.find("typed-value-4321") == std::string::npos);  // not echoed, not listed
}

TEST_CASE("Ctrl-C at the secret prompt ends pipe and gives the terminal its echo back", "[secrets]") {
  const std::string repo = pipeline::test::make_temp_dir("prompt-interrupt");
  ::unsetenv("ASKED_SECRET_FOR_PIPE");
  ::setenv("XDG_CONFIG_HOME", (repo + "/xdg").c_str(), 1);
  REQUIRE(std::system(("mkdir -p '" + repo + "/.github/workflows' && printf 'on: push\\njobs:\\n  a:\\n    "
                       "runs-on: ubuntu-latest\\n    steps:\\n      - run: echo hi\\n' > '" +
                       repo + "/.github/workflows/ci.yml'")
                          .c_str()) == 0);
  // `pipe run` has its own Ctrl-C handler (it cancels a run); `pipe secrets list` has none.
  for (const char* command : {"run", "secrets"}) {
    INFO(command);
    int master = -1;
    const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
    REQUIRE(pid >= 0);
    if (pid == 0) {
      if (std::string(command) == "run") {
        execl(PIPE_EXE, PIPE_EXE, "run", "--backend", "host", "-P", "ubuntu-latest=host", "-C", repo.c_str(), "-s",
              "ASKED_SECRET_FOR_PIPE", nullptr);
      } else {
        execl(PIPE_EXE, PIPE_EXE, "secrets", "list", "-C", repo.c_str(), "-s", "ASKED_SECRET_FOR_PIPE", nullptr);
      }
      _exit(127);
    }
    std::string seen = read_until(master, "secret ASKED_SECRET_FOR_PIPE: ");
    REQUIRE_THAT(seen, Catch::Contains("secret ASKED_SECRET_FOR_PIPE: "));
    const std::string typed = "half-typed\x03";  // the terminal turns ^C into SIGINT
    REQUIRE(write(master, typed.data(), typed.size()) == static_cast<ssize_t>(typed.size()));
    int status = 0;
    waitpid(pid, &status, 0);
    termios after{};
    REQUIRE(tcgetattr(master, &after) == 0);
    close(master);
    const bool interrupted = (WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) ||
                             (WIFEXITED(status) && WEXITSTATUS(status) == 130);
    CHECK(interrupted);
    CHECK((after.c_lflag & ECHO) != 0);
  }
  ::unsetenv("XDG_CONFIG_HOME");
}
