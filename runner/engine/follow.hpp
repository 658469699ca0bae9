#pragma once
// `--follow JOB`: the terminal shows the step output of one job; the others show only their
// start, their end, their annotations and pipe's notices.
#include <memory>
#include <string>
#include <string_view>

#include "runner/engine/reporter.hpp"

namespace pipeline::runner::engine {

/// Whether `job` (a display name) is the followed one: the same name, or a matrix instance of
/// it ("build" follows "build (linux, 20)"). An empty `follow` follows every job.
[[nodiscard]] bool is_followed(std::string_view follow, std::string_view job);

/// Whether the terminal shows `event` while `follow` is followed: step lines, groups and output
/// of the other jobs are left out; every other event is shown.
[[nodiscard]] bool shown_when_following(std::string_view follow, const Event& event);

/// Passes the events shown_when_following keeps to `inner`.
class FollowFilter final : public EventSink {
public:
  FollowFilter(std::unique_ptr<EventSink> inner, std::string follow)
      : m_inner(std::move(inner)), m_follow(std::move(follow)) {}
  void handle(const Event& event) override {
    if (shown_when_following(m_follow, event)) {
      m_inner->handle(event);
    }
  }
  void flush() override { m_inner->flush(); }
  void finish() override { m_inner->finish(); }
  [[nodiscard]] std::chrono::milliseconds refresh_interval() const override { return m_inner->refresh_interval(); }

private:
  std::unique_ptr<EventSink> m_inner;
  std::string m_follow;
};

}  // namespace pipeline::runner::engine
