// The live view through real terminals: pipe runs inside tmux (typed in with send-keys, read
// with capture-pane) and inside script(1) (the raw bytes it wrote to a pseudo-terminal); on a
// pipe, with NO_COLOR, TERM=dumb or --progress plain it writes no escape sequence at all.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <thread>

#include "support/files.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using pipeline::test::run_process;

namespace {

// Two matrix jobs whose one long-named step lasts a few seconds, and a quick job.
const char* const k_workflow = R"(on: push
jobs:
  quick:
    runs-on: self-hosted
    steps:
      - run: echo quick-done
  slow:
    runs-on: self-hosted
    strategy:
      matrix:
        n: [1, 2]
    steps:
      - name: Sleep a while with a step name long enough to wrap on a narrow terminal
        run: for i in 1 2 3 4 5 6 7 8; do echo tick $i; sleep 0.5; done
)";

// Without the settings of the test's own environment that turn the live view off.
const std::string k_clean_env = "env -u CI -u GITHUB_ACTIONS -u NO_COLOR -u FORCE_COLOR ";

// Runs pipe on pipes, without those settings: under CI=true pipe prints CI's plain lines instead.
pipeline::test::ProcessResult run_pipe(std::vector<std::string> args, const std::string& cwd = "") {
  std::vector<std::string> argv{"/usr/bin/env", "-u", "CI", "-u", "GITHUB_ACTIONS", "-u", "NO_COLOR", "-u", "FORCE_COLOR", PIPE_EXE};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, cwd);
}

bool has_spinner(const std::string& text) {
  for (const char* frame : {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}) {
    if (text.find(frame) != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool found(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

std::string which(const std::string& name) {
  for (const char* dir : {"/usr/bin/", "/bin/", "/usr/local/bin/"}) {
    if (found(dir + name)) {
      return dir + name;
    }
  }
  return {};
}

// Every escape sequence is CSI with numeric parameters ending in m (colors), A (cursor up) or
// J (erase below): the only ones the live view writes. Returns the first broken one, or empty.
std::string broken_escape(const std::string& bytes) {
  for (std::size_t i = bytes.find('\x1b'); i != std::string::npos; i = bytes.find('\x1b', i + 1)) {
    std::size_t end = i + 1;
    if (end >= bytes.size() || bytes[end] != '[') {
      return bytes.substr(i, 8);
    }
    ++end;
    while (end < bytes.size() && (std::isdigit(static_cast<unsigned char>(bytes[end])) || bytes[end] == ';')) {
      ++end;
    }
    if (end >= bytes.size() || std::string_view("mAJ").find(bytes[end]) == std::string_view::npos) {
      return bytes.substr(i, end - i + 1);
    }
  }
  return {};
}

struct Tmux {
  std::string exe;
  std::string socket;
  std::vector<std::string> command(std::vector<std::string> args) const {
    args.insert(args.begin(), {exe, "-S", socket, "-f", "/dev/null"});
    return args;
  }
  pipeline::test::ProcessResult run(std::vector<std::string> args) const { return run_process(command(std::move(args))); }
  std::string screen(bool history = false) const {
    std::vector<std::string> args{"capture-pane", "-p", "-t", "live"};
    if (history) {
      args.insert(args.end(), {"-S", "-", "-E", "-"});
    }
    return run(args).out;
  }
  ~Tmux() { run({"kill-server"}); }
};

// The shell's line after pipe ends: "pipe-exit-<status>" (the typed command shows "pipe-exit-$?").
bool exited(const std::string& text) {
  const auto at = text.find("pipe-exit-");
  return at != std::string::npos && (text.find("pipe-exit-", at + 1) != std::string::npos ||
                                     std::isdigit(static_cast<unsigned char>(text[at + 10])) != 0);
}

// Polls the pane until `done` holds; gives up after two minutes (a hang, not a slow machine).
template <class Done>
std::string wait_for(const Tmux& tmux, Done done) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  std::string text;
  while (std::chrono::steady_clock::now() < give_up) {
    text = tmux.screen();
    if (done(text)) {
      return text;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return text;
}

}  // namespace

TEST_CASE("pipe run draws live lines in tmux and leaves a clean screen", "[cli][live][tty]") {
  const std::string tmux_exe = which("tmux");
  if (tmux_exe.empty()) {
    WARN("skipped: tmux is not installed (.ci/setup installs it)");
    return;
  }
  pipeline::test::TempDir dir("live-tmux");
  pipeline::test::write_file(dir.path / "live.yml", k_workflow);
  Tmux tmux{tmux_exe, (dir.path / "tmux.sock").string()};
  REQUIRE(tmux.run({"new-session", "-d", "-s", "live", "-x", "120", "-y", "40", "-c", dir.path.string(), "sh"}).exit_code == 0);
  tmux.run({"send-keys", "-t", "live",
            k_clean_env + PIPE_EXE + " run --backend host -p 4 live.yml; echo pipe-exit-$?", "Enter"});

  // During the run: one live line per running job, the matrix instances included, and their
  // output scrolling above (waited for too: a slow machine draws the lines before the first tick).
  const std::string during = wait_for(tmux, [](const std::string& text) {
    return text.find("slow (1) › Sleep a while") != std::string::npos &&
           text.find("slow (2) › Sleep a while") != std::string::npos &&
           text.find("[slow (1)]   | tick") != std::string::npos;
  });
  INFO("during the run:\n" << during);
  CHECK(has_spinner(during));
  CHECK_THAT(during, Catch::Contains("[slow (1)]   | tick"));

  // A narrower terminal in the middle of the run: the live lines now wrap and must still go.
  tmux.run({"resize-window", "-t", "live", "-x", "50"});
  const std::string after = wait_for(tmux, exited);
  const std::string history = tmux.screen(true);
  INFO("final screen with history:\n" << history);
  CHECK_THAT(after, Catch::Contains("pipe-exit-0"));
  CHECK_THAT(history, Catch::Contains("[quick]   | quick-done"));
  CHECK_THAT(history, Catch::Contains("Summary"));
  CHECK_THAT(history, Catch::Contains("3 jobs: 3 succeeded"));
  // A resize that lands while a frame is being drawn (after pipe read the width, before the
  // terminal took the bytes) leaves that one frame's lines above the next one: a known race of
  // erasing by row count. Anything more than one frame (two live lines) is a real leftover.
  std::size_t stale = 0;
  for (std::size_t at = history.find(" › Sleep a while"); at != std::string::npos; at = history.find(" › Sleep a while", at + 1)) {
    ++stale;
  }
  if (stale > 0) {
    WARN("a frame drawn during the resize stayed in the scrollback:\n" << history);
  }
  CHECK(stale <= 2);
  CHECK(history.find('\x1b') == std::string::npos);
  CHECK(history.find("[0m") == std::string::npos);
  CHECK(history.find("more running") == std::string::npos);
}

TEST_CASE("on a pseudo-terminal the live view writes only well-formed escape sequences", "[cli][live][tty]") {
  const std::string script = which("script");
  if (script.empty()) {
    WARN("skipped: script(1) is not installed (util-linux)");
    return;
  }
  pipeline::test::TempDir dir("live-script");
  pipeline::test::write_file(dir.path / "live.yml", k_workflow);
  const std::string typescript = (dir.path / "typescript").string();
  const auto run = [&](const std::string& env_and_flags) {
    const std::string command = k_clean_env + env_and_flags + " " + PIPE_EXE + " run --backend host -p 4 live.yml";
    const auto result = run_process({script, "-q", "-e", "-c", command, typescript}, dir.path.string());
    INFO(command << "\n" << result.out << result.err);
    CHECK(result.exit_code == 0);
    return pipeline::test::read_file(typescript);
  };
  const std::string live = run("TERM=xterm-256color");
  INFO(live);
  CHECK(broken_escape(live).empty());
  CHECK(has_spinner(live));
  CHECK(live.find("\x1b[J") != std::string::npos);

  for (const std::string env : {"TERM=xterm-256color NO_COLOR=1", "TERM=dumb"}) {
    const std::string plain = run(env);
    INFO(env << ":\n" << plain);
    CHECK(plain.find('\x1b') == std::string::npos);
    CHECK_FALSE(has_spinner(plain));
    CHECK_THAT(plain, Catch::Contains("Summary"));
  }
}

TEST_CASE("pipe run --progress plain, --color never and a pipe write no escape sequences", "[cli][live]") {
  pipeline::test::TempDir dir("live-plain");
  pipeline::test::write_file(dir.path / "live.yml", k_workflow);
  const std::string script = which("script");
  const std::string typescript = (dir.path / "typescript").string();
  for (const std::string flags : {"--progress plain --color never", "--color never"}) {
    if (script.empty()) {
      break;
    }
    const std::string command = k_clean_env + "TERM=xterm-256color " + PIPE_EXE + " run --backend host " + flags + " live.yml";
    const auto result = run_process({script, "-q", "-e", "-c", command, typescript}, dir.path.string());
    const std::string bytes = pipeline::test::read_file(typescript);
    INFO(flags << ":\n" << bytes);
    CHECK(result.exit_code == 0);
    CHECK(bytes.find('\x1b') == std::string::npos);
    CHECK_FALSE(has_spinner(bytes));
  }
  const auto piped = run_pipe({"run", "--backend", "host", "live.yml"}, dir.path.string());
  INFO(piped.out << piped.err);
  CHECK(piped.exit_code == 0);
  CHECK(piped.out.find('\x1b') == std::string::npos);
  CHECK_FALSE(has_spinner(piped.out));
  const auto forced = run_pipe({"run", "--backend", "host", "--color", "always", "live.yml"}, dir.path.string());
  CHECK(forced.out.find("\x1b[32m✓") != std::string::npos);  // colors on a pipe, still no live view
  CHECK_FALSE(has_spinner(forced.out));
}

TEST_CASE("pipe run under CI=true prints plain timestamped lines, colored only when asked", "[cli][live]") {
  pipeline::test::TempDir dir("live-ci");
  pipeline::test::write_file(dir.path / "live.yml", "on: push\njobs:\n  a:\n    runs-on: self-hosted\n    steps:\n      - run: echo hi\n");
  const auto ci = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{"/usr/bin/env", "-u", "NO_COLOR", "-u", "FORCE_COLOR", "-u", "GITHUB_ACTIONS", "CI=true", PIPE_EXE, "run", "--backend", "host"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("live.yml");
    return run_process(argv, dir.path.string());
  };
  const auto plain = ci({});
  INFO(plain.out << plain.err);
  CHECK(plain.exit_code == 0);
  CHECK_THAT(plain.out, Catch::Contains("Z [a]   | hi"));
  CHECK(plain.out.find('\x1b') == std::string::npos);
  const auto colored = ci({"--color", "always"});
  INFO(colored.out << colored.err);
  CHECK_THAT(colored.out, Catch::Contains("Z \x1b[96m[a]\x1b[0m   | hi"));
  CHECK(colored.out.find("\x1b[32m✓") != std::string::npos);
}

TEST_CASE("pipe run --color and --progress reject unknown values as usage errors", "[cli][live]") {
  const auto color = run_pipe({"run", "-n", "--color", "sometimes"});
  CHECK(color.exit_code == 2);
  CHECK_THAT(color.err, Catch::Contains("color 'sometimes' is not auto, always or never"));
  const auto progress = run_pipe({"run", "-n", "--progress", "fancy"});
  CHECK(progress.exit_code == 2);
  CHECK_THAT(progress.err, Catch::Contains("progress 'fancy' is not auto, tty or plain"));
}

TEST_CASE("Ctrl-C in tmux: the cancel message lands above the live lines, which still go", "[cli][live][tty]") {
  const std::string tmux_exe = which("tmux");
  if (tmux_exe.empty()) {
    WARN("skipped: tmux is not installed (.ci/setup installs it)");
    return;
  }
  pipeline::test::TempDir dir("live-ctrl-c");
  pipeline::test::write_file(dir.path / "live.yml", k_workflow);
  Tmux tmux{tmux_exe, (dir.path / "tmux.sock").string()};
  REQUIRE(tmux.run({"new-session", "-d", "-s", "live", "-x", "100", "-y", "30", "-c", dir.path.string(), "sh"}).exit_code == 0);
  tmux.run({"send-keys", "-t", "live",
            k_clean_env + PIPE_EXE + " run --backend host -p 4 live.yml; echo pipe-exit-$?", "Enter"});
  const std::string during = wait_for(tmux, [](const std::string& text) {
    return text.find("slow (2) › Sleep a while") != std::string::npos;
  });
  INFO("during the run:\n" << during);
  REQUIRE(has_spinner(during));
  tmux.run({"send-keys", "-t", "live", "C-c"});
  const std::string after = wait_for(tmux, exited);
  const std::string history = tmux.screen(true);
  INFO("final screen with history:\n" << history);
  CHECK_THAT(after, Catch::Contains("pipe-exit-130"));
  CHECK_THAT(history, Catch::Contains("pipe: cancelling (press Ctrl-C again to stop at once)"));
  CHECK_FALSE(has_spinner(history));
  CHECK(history.find('\x1b') == std::string::npos);
}

TEST_CASE("the color and progress config keys: a flag wins, a bad value names its file", "[cli][live][config]") {
  pipeline::test::TempDir dir("live-config");
  pipeline::test::write_file(dir.path / "live.yml", "on: push\njobs:\n  a:\n    runs-on: self-hosted\n    steps:\n      - run: echo hi\n");
  pipeline::test::write_file(dir.path / ".pipe.yml", "color: always\n");
  const auto colored = run_pipe({"run", "--backend", "host", "live.yml"}, dir.path.string());
  INFO(colored.out << colored.err);
  CHECK(colored.exit_code == 0);
  CHECK(colored.out.find("\x1b[32m✓") != std::string::npos);
  const auto flag = run_pipe({"run", "--backend", "host", "--color", "never", "live.yml"}, dir.path.string());
  CHECK(flag.out.find('\x1b') == std::string::npos);

  pipeline::test::write_file(dir.path / ".pipe.yml", "progress: sometimes\n");
  const auto bad = run_pipe({"run", "--backend", "host", "live.yml"}, dir.path.string());
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains(".pipe.yml:1"));
  CHECK_THAT(bad.err, Catch::Contains("progress 'sometimes' is not auto, tty or plain"));
}
