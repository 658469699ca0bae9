#pragma once
// Cooperative cancellation shared by the scheduler, step runners and backends.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace pipeline {

/// Set once (first Ctrl-C, fail-fast, a timeout); checked by whoever runs work.
class CancelToken {
public:
  void cancel() {
    {
      std::lock_guard lock(m_mutex);
      m_cancelled = true;
    }
    m_changed.notify_all();
  }
  [[nodiscard]] bool cancelled() const { return m_cancelled.load(); }
  /// Sleeps up to `d`; returns true when cancelled meanwhile.
  bool wait_for(std::chrono::milliseconds d) {
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, d, [this] { return m_cancelled.load(); });
  }

private:
  std::atomic<bool> m_cancelled{false};
  std::mutex m_mutex;
  std::condition_variable m_changed;
};

}  // namespace pipeline
