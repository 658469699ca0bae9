#pragma once
// The terminal's sink behind a guard: once its stream fails, nothing more is written there.
#include <functional>
#include <memory>
#include <ostream>

#include "runner/engine/reporter.hpp"

namespace pipeline::runner::engine {

/// Passes events to `inner` until writing to `out` fails (the reader of a pipe quit, a terminal
/// hung up, a full disk); from then on drops them and calls `on_closed` once. Log files and the
/// run record are other sinks, so they still get every event.
class OutputGuard final : public EventSink {
public:
  OutputGuard(std::unique_ptr<EventSink> inner, std::ostream& out, std::function<void()> on_closed)
      : m_inner(std::move(inner)), m_out(out), m_on_closed(std::move(on_closed)) {}
  void handle(const Event& event) override;
  void flush() override;
  void finish() override;
  [[nodiscard]] std::chrono::milliseconds refresh_interval() const override { return m_inner->refresh_interval(); }
  /// Whether writing has failed: the stream must not be written again.
  [[nodiscard]] bool closed() const { return m_closed; }

private:
  void check();

  std::unique_ptr<EventSink> m_inner;
  std::ostream& m_out;
  std::function<void()> m_on_closed;
  bool m_closed = false;
};

}  // namespace pipeline::runner::engine
