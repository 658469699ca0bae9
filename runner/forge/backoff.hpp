#pragma once
// Waits between polls: the base interval while the server answers, doubling after each failure
// up to a ceiling, with jitter so many runners restarted together do not poll in step.
#include <chrono>
#include <random>

namespace pipeline::runner::forge {

/// Exponential backoff with ±20% jitter, capped at `max` (jitter never exceeds it).
class Backoff {
public:
  Backoff(std::chrono::milliseconds base, std::chrono::milliseconds max);

  /// The wait after a success: the base interval, jittered; resets the failure count.
  [[nodiscard]] std::chrono::milliseconds after_success();
  /// The wait after a failure: base × 2^failures, jittered, at most `max`.
  [[nodiscard]] std::chrono::milliseconds after_failure();
  /// Failures in a row so far.
  [[nodiscard]] int failures() const { return m_failures; }

private:
  std::chrono::milliseconds jittered(std::chrono::milliseconds wait);

  std::chrono::milliseconds m_base;
  std::chrono::milliseconds m_max;
  int m_failures = 0;
  std::minstd_rand m_random;
};

}  // namespace pipeline::runner::forge
