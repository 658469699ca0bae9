#include "runner/forge/backoff.hpp"

#include <algorithm>

namespace pipeline::runner::forge {

Backoff::Backoff(std::chrono::milliseconds base, std::chrono::milliseconds max)
    : m_base(base), m_max(std::max(base, max)), m_random(std::random_device{}()) {}

std::chrono::milliseconds Backoff::after_success() {
  m_failures = 0;
  return jittered(m_base);
}

std::chrono::milliseconds Backoff::after_failure() {
  ++m_failures;
  // Never a hot loop against a failing server, even with a zero interval.
  auto wait = std::max(m_base, std::chrono::milliseconds(100));
  for (int i = 0; i < m_failures && wait < m_max; ++i) {
    wait *= 2;
  }
  return jittered(std::min(wait, m_max));
}

std::chrono::milliseconds Backoff::jittered(std::chrono::milliseconds wait) {
  if (wait.count() <= 0) {
    return wait;
  }
  std::uniform_int_distribution<long long> spread(-wait.count() / 5, wait.count() / 5);
  return std::min(m_max, std::chrono::milliseconds(wait.count() + spread(m_random)));
}

}  // namespace pipeline::runner::forge
