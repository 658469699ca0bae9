#include "runner/watch/debouncer.hpp"

#include <algorithm>

namespace pipeline::runner::watch {

void Debouncer::touch(Clock::time_point now) {
  if (!m_first) {
    m_first = now;
  }
  m_last = now;
}

void Debouncer::add(const std::vector<std::string>& paths, Clock::time_point now) {
  if (paths.empty()) {
    return;
  }
  m_paths.insert(paths.begin(), paths.end());
  touch(now);
}

void Debouncer::add_unknown(Clock::time_point now) {
  m_unknown = true;
  touch(now);
}

std::optional<Debouncer::Clock::time_point> Debouncer::due() const {
  if (!m_first) {
    return std::nullopt;
  }
  return std::min(m_last + m_quiet, *m_first + m_longest);
}

bool Debouncer::ready(Clock::time_point now) const {
  const auto when = due();
  return when && now >= *when;
}

Batch Debouncer::take() {
  Batch batch{{m_paths.begin(), m_paths.end()}, m_unknown};
  m_paths.clear();
  m_unknown = false;
  m_first.reset();
  return batch;
}

}  // namespace pipeline::runner::watch
