#include "runner/watch/watch_loop.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "workflow/base/exit_code.hpp"

namespace pipeline::runner::watch {
namespace {

using Clock = Debouncer::Clock;

// How soon an interruption is noticed while nothing else wakes the loop: signals reach it only
// through `session`, which has no descriptor to poll.
constexpr auto k_tick = std::chrono::milliseconds(100);
constexpr std::size_t k_files_shown = 5;

std::string list_text(const std::vector<std::string>& items, std::size_t shown) {
  std::string text;
  for (std::size_t i = 0; i < items.size() && i < shown; ++i) {
    text += (i == 0 ? "" : ", ") + items[i];
  }
  if (items.size() > shown) {
    text += " and " + std::to_string(items.size() - shown) + " more";
  }
  return text;
}

/// Both batches' files; unknown when either is.
ChangedFiles merge(const ChangedFiles& a, const ChangedFiles& b) {
  if (!a || !b) {
    return std::nullopt;
  }
  std::set<std::string> all(a->begin(), a->end());
  all.insert(b->begin(), b->end());
  return std::vector<std::string>(all.begin(), all.end());
}

std::string changes_text(const ChangedFiles& changed) {
  return "pipe watch: " +
         (changed ? list_text(*changed, k_files_shown) + " changed" : std::string("the work tree's changes"));
}

/// One run on a thread of its own, so the loop reads changes and keys meanwhile. It writes a
/// byte to `done_fd` when it ends.
class ActiveRun {
public:
  ActiveRun(const RunOnce& run, ChangedFiles changed, int done_fd) : m_changed(std::move(changed)) {
    m_thread = std::thread([this, &run, done_fd] {
      try {
        m_exit = run(m_changed, m_interruption);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "pipe: error: %s\n", e.what());
        m_exit = k_exit_usage;
      }
      const char byte = 1;
      (void)!::write(done_fd, &byte, 1);
    });
  }
  ~ActiveRun() {
    if (m_thread.joinable()) {
      m_thread.join();
    }
  }
  ActiveRun(const ActiveRun&) = delete;
  ActiveRun& operator=(const ActiveRun&) = delete;

  [[nodiscard]] const ChangedFiles& changed() const { return m_changed; }
  [[nodiscard]] engine::Interruption& interruption() { return m_interruption; }
  /// Waits for the thread; the run's exit code.
  [[nodiscard]] int finish() {
    m_thread.join();
    return m_exit;
  }
  /// Cancels as Ctrl-C does; the run's exit code then says nothing about the tree.
  void cancel() {
    m_cancelled = true;
    m_interruption.interrupt(SIGINT);
  }
  [[nodiscard]] bool cancelled() const { return m_cancelled; }

private:
  ChangedFiles m_changed;
  engine::Interruption m_interruption;
  int m_exit = k_exit_success;
  bool m_cancelled = false;
  std::thread m_thread;
};

/// A pipe the run threads write to when they end: the loop's poll wakes at once.
class DoneSignal {
public:
  DoneSignal() {
    if (::pipe2(m_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
      m_fds[0] = m_fds[1] = -1;
    }
  }
  ~DoneSignal() {
    for (int fd : m_fds) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
  }
  DoneSignal(const DoneSignal&) = delete;
  DoneSignal& operator=(const DoneSignal&) = delete;
  [[nodiscard]] int read_end() const { return m_fds[0]; }
  [[nodiscard]] int write_end() const { return m_fds[1]; }
  void drain() const {
    char bytes[16];
    while (::read(m_fds[0], bytes, sizeof bytes) > 0) {
    }
  }

private:
  int m_fds[2] = {-1, -1};
};

class Loop {
public:
  Loop(WatchSeams& seams, engine::Interruption& session) : m_seams(seams), m_session(session) {}

  int run() {
    start(std::nullopt, m_seams.preview(std::nullopt));
    while (true) {
      if (m_session.cancel().cancelled()) {
        if (!m_run) {
          return m_session.exit_code();
        }
        m_run->interruption().interrupt(m_session.signal());
        if (m_session.hard().cancelled()) {
          m_run->interruption().hard().cancel();
        }
      }
      if (m_quit && !m_run) {
        return m_last_exit;
      }
      wait();
    }
  }

private:
  void say(const std::string& line) { m_seams.out << line << '\n' << std::flush; }

  void start(const ChangedFiles& changed, const std::vector<std::string>& workflows) {
    say(header_line(changed, workflows));
    m_run = std::make_unique<ActiveRun>(m_seams.run, changed, m_done.write_end());
  }

  void wait() {
    const int key_fd = m_seams.keys != nullptr ? m_seams.keys->fd() : -1;
    pollfd fds[3] = {{m_done.read_end(), POLLIN, 0}, {m_seams.events.fd(), POLLIN, 0}, {key_fd, POLLIN, 0}};
    auto timeout = k_tick;
    if (const auto due = m_seams.debouncer.due()) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(*due - Clock::now());
      timeout = std::clamp(left, std::chrono::milliseconds(0), k_tick);
    }
    if (::poll(fds, 3, static_cast<int>(timeout.count())) < 0 && errno != EINTR) {
      std::this_thread::sleep_for(k_tick);  // cannot happen with valid descriptors; never spin
    }
    if ((fds[0].revents & POLLIN) != 0) {
      m_done.drain();
      run_ended();
    }
    if ((fds[1].revents & POLLIN) != 0) {
      read_changes();
    }
    if ((fds[2].revents & (POLLIN | POLLHUP)) != 0 && m_seams.keys->quit_pressed()) {
      quit();
    }
    if (!m_quit && !m_session.cancel().cancelled() && m_seams.debouncer.ready(Clock::now())) {
      changes_due();
    }
  }

  void read_changes() {
    auto changes = m_seams.events.read();
    const auto now = Clock::now();
    if (changes.overflowed) {
      m_seams.debouncer.add_unknown(now);
    }
    m_seams.debouncer.add(m_seams.keep(changes.paths), now);
  }

  void run_ended() {
    if (!m_run) {
      return;
    }
    const int exit_code = m_run->finish();
    if (!m_run->cancelled() && m_run->interruption().signal() == 0) {
      m_last_exit = exit_code;
    }
    m_run.reset();
    if (m_quit || m_session.cancel().cancelled()) {
      return;
    }
    if (m_restart) {
      const ChangedFiles changed = std::move(*m_restart);
      m_restart.reset();
      start(changed, m_seams.preview(changed));
      return;
    }
    say(std::string("pipe watch: waiting for changes (") + (m_seams.keys != nullptr && m_seams.keys->fd() >= 0 ? "q or " : "") +
        "Ctrl-C to stop)");
  }

  void quit() {
    m_quit = true;
    if (m_run) {
      say("pipe watch: quitting: cancelling the run");
      m_run->cancel();
    }
  }

  // A batch no trigger takes starts nothing and leaves a run in progress alone; any other
  // starts a run, or cancels the one in progress and runs again with both batches' files.
  void changes_due() {
    const auto batch = m_seams.debouncer.take();
    const ChangedFiles changed = batch.unknown ? ChangedFiles() : ChangedFiles(batch.paths);
    const auto workflows = m_seams.preview(changed);
    if (workflows.empty()) {
      say(header_line(changed, workflows));
      return;
    }
    if (!m_run) {
      start(changed, workflows);
      return;
    }
    if (m_restart) {
      m_restart = merge(*m_restart, changed);
      return;
    }
    m_restart = merge(m_run->changed(), changed);
    say(changes_text(changed) + " → cancelling the run to start again");
    m_run->cancel();
  }

  WatchSeams& m_seams;
  engine::Interruption& m_session;
  DoneSignal m_done;
  std::unique_ptr<ActiveRun> m_run;
  std::optional<ChangedFiles> m_restart;  // set: the run to start once the cancelled one has ended
  bool m_quit = false;
  int m_last_exit = k_exit_success;
};

}  // namespace

std::string header_line(const ChangedFiles& changed, const std::vector<std::string>& workflows) {
  const std::string what = changes_text(changed);
  if (workflows.empty()) {
    return what + (changed ? " → no workflow's trigger takes these files: nothing runs" : " → running");
  }
  return what + " → running " + list_text(workflows, workflows.size());
}

int watch_loop(WatchSeams& seams, engine::Interruption& session) {
  Loop loop(seams, session);
  return loop.run();
}

}  // namespace pipeline::runner::watch
