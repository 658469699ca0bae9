#include "runner/engine/output_guard.hpp"

namespace pipeline::runner::engine {

void OutputGuard::handle(const Event& event) {
  if (m_closed) {
    return;
  }
  m_inner->handle(event);
  check();
}

void OutputGuard::flush() {
  if (m_closed) {
    return;
  }
  m_inner->flush();
  check();
}

void OutputGuard::finish() {
  if (m_closed) {
    return;
  }
  m_inner->finish();
  m_out.flush();
  check();
}

// A stream keeps its failed state, so one check after each write is enough; buffered text
// fails only when flushed, which every batch does.
void OutputGuard::check() {
  if (m_out.good()) {
    return;
  }
  m_closed = true;
  if (m_on_closed) {
    m_on_closed();
  }
}

}  // namespace pipeline::runner::engine
