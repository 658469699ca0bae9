#pragma once
// Changes gathered until the tree is quiet: an editor's save or a `git checkout` is one batch.
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace pipeline::runner::watch {

/// One batch of changes, ready to act on.
struct Batch {
  std::vector<std::string> paths;  // sorted, each once
  bool unknown = false;            // some changes were lost: which files changed is unknown
};

/// Gathers changes and says when they are due: `quiet` after the last one, and at most
/// `longest` after the first, so a tree that never rests still gets its run.
class Debouncer {
public:
  using Clock = std::chrono::steady_clock;
  explicit Debouncer(std::chrono::milliseconds quiet = std::chrono::milliseconds(250),
                     std::chrono::milliseconds longest = std::chrono::milliseconds(2000))
      : m_quiet(quiet), m_longest(longest) {}

  /// Adds changed paths seen at `now`.
  void add(const std::vector<std::string>& paths, Clock::time_point now);
  /// Records, at `now`, that changes were lost.
  void add_unknown(Clock::time_point now);
  /// When the gathered changes are due; nullopt when there are none.
  [[nodiscard]] std::optional<Clock::time_point> due() const;
  /// Whether changes are gathered and due at `now`.
  [[nodiscard]] bool ready(Clock::time_point now) const;
  /// The gathered changes; starts a new batch.
  [[nodiscard]] Batch take();

private:
  void touch(Clock::time_point now);

  std::chrono::milliseconds m_quiet;
  std::chrono::milliseconds m_longest;
  std::set<std::string> m_paths;
  bool m_unknown = false;
  std::optional<Clock::time_point> m_first;
  Clock::time_point m_last;
};

}  // namespace pipeline::runner::watch
