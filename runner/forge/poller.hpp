#pragma once
// FetchTask with act_runner's tasks_version handling. The server bumps its tasks version when
// work is queued; a runner sending the version it last saw gets an empty answer cheaply while
// nothing changed. After a task came back the runner sends 0, forcing the server to look at its
// queue again: other tasks may be waiting although the version did not move.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

#include "runner/forge/client.hpp"

namespace pipeline::runner::forge {

/// Asks the server for tasks; shared by all of a daemon's workers.
class Poller {
public:
  Poller(const ForgeClient& client, std::chrono::milliseconds fetch_timeout)
      : m_client(client), m_fetch_timeout(fetch_timeout) {}

  /// One FetchTask call: a task, nothing (nullopt), or the call's error.
  [[nodiscard]] Result<std::optional<Task>> fetch();

  /// The tasks version the next call sends.
  [[nodiscard]] std::int64_t tasks_version() const { return m_version.load(); }

private:
  const ForgeClient& m_client;
  std::chrono::milliseconds m_fetch_timeout;
  std::atomic<std::int64_t> m_version{0};
};

}  // namespace pipeline::runner::forge
