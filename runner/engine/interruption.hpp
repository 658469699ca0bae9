#pragma once
// How a run is stopped from outside: Ctrl-C, SIGTERM, a hangup, or its output going away.
#include <atomic>
#include <csignal>
#include <functional>
#include <mutex>

#include "workflow/base/cancel.hpp"
#include "workflow/base/exit_code.hpp"

namespace pipeline::runner::engine {

/// The two cancel levels of a run and the signal that caused the first, which names the exit code.
class Interruption {
public:
  /// Set by the first interruption: running steps stop, `always()` steps and cleanup still run.
  [[nodiscard]] CancelToken& cancel() { return m_cancel; }
  /// Set by a second Ctrl-C or SIGTERM: stop at once.
  [[nodiscard]] CancelToken& hard() { return m_hard; }

  /// Records `signal` as the cause unless one is recorded already, then cancels; true when it was the first.
  bool interrupt(int signal) {
    int none = 0;
    const bool first = m_signal.compare_exchange_strong(none, signal);
    m_cancel.cancel();
    return first;
  }

  /// The signal that caused the first interruption, 0 when there was none.
  [[nodiscard]] int signal() const { return m_signal.load(); }

  /// Prints `message` (an interruption_message) through the announcer while one is set (the live
  /// view prints it between two frames, so it never lands inside the redrawn lines), else on stderr.
  void announce(const char* message);
  /// Sets who prints announcements; an empty function goes back to stderr. Waits for an
  /// announcement in progress, so the old announcer is not called after this returns.
  void set_announcer(std::function<void(const char*)> announcer);

  /// The shell's convention, 128 + the cause: 130 Ctrl-C, 143 SIGTERM, 129 hangup, 141 closed output.
  [[nodiscard]] int exit_code() const { return k_exit_signal_base + (signal() != 0 ? signal() : SIGINT); }

private:
  CancelToken m_cancel;
  CancelToken m_hard;
  std::atomic<int> m_signal{0};
  std::mutex m_announce_mutex;
  std::function<void(const char*)> m_announcer;
};

/// The signal a failed write to `fd` stands for: SIGHUP when it is a terminal (it hung up),
/// SIGPIPE for a pipe, socket or file (its reader went away, or it cannot take more).
[[nodiscard]] int closed_output_signal(int fd);

/// The line pipe prints on stderr when `signal` first interrupts a run.
[[nodiscard]] const char* interruption_message(int signal);

}  // namespace pipeline::runner::engine
