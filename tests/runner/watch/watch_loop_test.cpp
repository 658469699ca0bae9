// The watch loop with scripted file changes, keys and runs: what starts a run, what cancels one,
// and how watching ends.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <deque>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "runner/watch/watch_loop.hpp"

using namespace pipeline::runner::watch;
using pipeline::runner::engine::Interruption;

namespace {

/// A descriptor that becomes readable when the test writes to it.
class Doorbell {
public:
  Doorbell() { REQUIRE(::pipe2(m_fds, O_CLOEXEC | O_NONBLOCK) == 0); }
  ~Doorbell() {
    ::close(m_fds[0]);
    ::close(m_fds[1]);
  }
  [[nodiscard]] int fd() const { return m_fds[0]; }
  void ring(char byte = 1) const { (void)!::write(m_fds[1], &byte, 1); }
  [[nodiscard]] std::string drain() const {
    std::string bytes;
    char buffer[64];
    for (ssize_t n; (n = ::read(m_fds[0], buffer, sizeof buffer)) > 0;) {
      bytes.append(buffer, static_cast<std::size_t>(n));
    }
    return bytes;
  }

private:
  int m_fds[2] = {-1, -1};
};

class ScriptedEvents final : public FileEvents {
public:
  [[nodiscard]] int fd() const override { return m_bell.fd(); }
  Changes read() override {
    (void)m_bell.drain();
    std::lock_guard lock(m_mutex);
    Changes changes;
    while (!m_queue.empty()) {
      changes.paths.insert(changes.paths.end(), m_queue.front().begin(), m_queue.front().end());
      m_queue.pop_front();
    }
    return changes;
  }
  void change(std::vector<std::string> paths) {
    {
      std::lock_guard lock(m_mutex);
      m_queue.push_back(std::move(paths));
    }
    m_bell.ring();
  }

private:
  Doorbell m_bell;
  std::mutex m_mutex;
  std::deque<std::vector<std::string>> m_queue;
};

class ScriptedKeys final : public KeyInput {
public:
  [[nodiscard]] int fd() const override { return m_bell.fd(); }
  bool quit_pressed() override { return m_bell.drain().find('q') != std::string::npos; }
  void press(char key) const { m_bell.ring(key); }

private:
  Doorbell m_bell;
};

/// Runs that record their changed files; a run given "slow" waits until it is cancelled.
class ScriptedRuns {
public:
  int run(const ChangedFiles& changed, Interruption& interruption) {
    {
      std::lock_guard lock(m_mutex);
      m_runs.push_back(changed);
    }
    const bool slow = changed && std::find(changed->begin(), changed->end(), "slow") != changed->end();
    if (slow) {
      while (!interruption.cancel().wait_for(std::chrono::milliseconds(50))) {
      }
      std::lock_guard lock(m_mutex);
      ++m_cancelled;
      return interruption.exit_code();
    }
    return m_exit_code;
  }
  [[nodiscard]] std::vector<ChangedFiles> runs() {
    std::lock_guard lock(m_mutex);
    return m_runs;
  }
  [[nodiscard]] int cancelled() {
    std::lock_guard lock(m_mutex);
    return m_cancelled;
  }
  int m_exit_code = 0;

private:
  std::mutex m_mutex;
  std::vector<ChangedFiles> m_runs;
  int m_cancelled = 0;
};

/// Waits (with a hang guard, never a timing check) until `done` holds.
template <typename Predicate>
bool eventually(Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

/// The loop on a thread of its own, with "docs/" changes taken by no trigger.
struct LoopHarness {
  ScriptedEvents events;
  ScriptedKeys keys;
  ScriptedRuns runs;
  Interruption session;
  std::ostringstream out;  // read once the loop has returned
  WatchSeams seams{
      events,
      &keys,
      [](const std::vector<std::string>& paths) {
        std::vector<std::string> kept;
        std::copy_if(paths.begin(), paths.end(), std::back_inserter(kept),
                     [](const std::string& p) { return p.rfind("ignored/", 0) != 0; });
        return kept;
      },
      [](const ChangedFiles& changed) {
        if (changed && std::all_of(changed->begin(), changed->end(), [](const auto& p) { return p.rfind("docs/", 0) == 0; })) {
          return std::vector<std::string>{};
        }
        return std::vector<std::string>{".github/workflows/ci.yml"};
      },
      [this](const ChangedFiles& changed, Interruption& interruption) { return runs.run(changed, interruption); },
      out,
      Debouncer(std::chrono::milliseconds(20), std::chrono::milliseconds(500)),
  };
  std::future<int> result = std::async(std::launch::async, [this] { return watch_loop(seams, session); });

  int finish() {
    REQUIRE(result.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
    return result.get();
  }
};

}  // namespace

TEST_CASE("watching runs at once with the tree's changes, then again for each batch a trigger takes", "[watch]") {
  LoopHarness h;
  REQUIRE(eventually([&] { return h.runs.runs().size() == 1; }));
  CHECK_FALSE(h.runs.runs()[0].has_value());

  h.events.change({"src/a.c", "ignored/x"});
  REQUIRE(eventually([&] { return h.runs.runs().size() == 2; }));
  CHECK(h.runs.runs()[1] == ChangedFiles(std::vector<std::string>{"src/a.c"}));

  // Ignored files alone, and files no trigger takes, start nothing; the next real change shows it.
  h.events.change({"ignored/y"});
  h.events.change({"docs/readme.md"});
  h.keys.press('x');
  h.events.change({"src/b.c"});
  REQUIRE(eventually([&] { return h.runs.runs().size() == 3; }));
  const auto third = *h.runs.runs()[2];
  CHECK((third == std::vector<std::string>{"src/b.c"} || third == std::vector<std::string>{"docs/readme.md", "src/b.c"}));

  h.runs.m_exit_code = 1;
  h.events.change({"src/c.c"});
  REQUIRE(eventually([&] { return h.runs.runs().size() == 4; }));
  h.keys.press('q');
  CHECK(h.finish() == 1);  // `q`: the last finished run's exit code
  const std::string out = h.out.str();
  CHECK_THAT(out, Catch::Contains("pipe watch: the work tree's changes → running .github/workflows/ci.yml\n"));
  CHECK_THAT(out, Catch::Contains("pipe watch: src/a.c changed → running .github/workflows/ci.yml\n"));
  CHECK_THAT(out, Catch::Contains("pipe watch: waiting for changes (q or Ctrl-C to stop)\n"));
  CHECK(out.find("ignored/") == std::string::npos);
  CHECK(h.runs.runs().size() == 4);
}

TEST_CASE("a batch during a run cancels it, and the next run gets both batches' files", "[watch]") {
  LoopHarness h;
  REQUIRE(eventually([&] { return h.runs.runs().size() == 1; }));
  h.events.change({"slow"});
  REQUIRE(eventually([&] { return h.runs.runs().size() == 2; }));
  // A change no trigger takes leaves the run alone.
  h.events.change({"docs/x.md"});
  h.events.change({"src/fix.c"});
  REQUIRE(eventually([&] { return h.runs.runs().size() == 3; }));
  CHECK(h.runs.cancelled() == 1);
  const auto restarted = *h.runs.runs()[2];
  CHECK(std::find(restarted.begin(), restarted.end(), "slow") != restarted.end());
  CHECK(std::find(restarted.begin(), restarted.end(), "src/fix.c") != restarted.end());
  h.keys.press('q');
  // The restarted run is slow too (it has "slow"): `q` cancels it, and the code is the first run's.
  CHECK(h.finish() == 0);
  CHECK(h.runs.cancelled() == 2);
  CHECK_THAT(h.out.str(), Catch::Contains("→ cancelling the run to start again\n"));
  CHECK_THAT(h.out.str(), Catch::Contains("pipe watch: quitting: cancelling the run\n"));
}

TEST_CASE("an interruption cancels the run in progress and ends watching with its exit code", "[watch]") {
  LoopHarness h;
  REQUIRE(eventually([&] { return h.runs.runs().size() == 1; }));
  h.events.change({"slow"});
  REQUIRE(eventually([&] { return h.runs.runs().size() == 2; }));
  h.session.interrupt(SIGTERM);
  CHECK(h.finish() == 128 + SIGTERM);
  CHECK(h.runs.cancelled() == 1);
}

TEST_CASE("an interruption while idle ends watching at once", "[watch]") {
  LoopHarness h;
  REQUIRE(eventually([&] { return h.runs.runs().size() == 1; }));
  h.session.interrupt(SIGINT);
  CHECK(h.finish() == 130);
  CHECK(h.runs.runs().size() == 1);
}

TEST_CASE("the header names the changed files, a few of them, and the workflows", "[watch]") {
  CHECK(header_line(std::vector<std::string>{"a", "b"}, {"ci.yml", "lint.yml"}) ==
        "pipe watch: a, b changed → running ci.yml, lint.yml");
  CHECK(header_line(std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7"}, {"ci.yml"}) ==
        "pipe watch: 1, 2, 3, 4, 5 and 2 more changed → running ci.yml");
  CHECK(header_line(std::vector<std::string>{"docs/x.md"}, {}) ==
        "pipe watch: docs/x.md changed → no workflow's trigger takes these files: nothing runs");
}
