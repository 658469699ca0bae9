#include "runner/engine/interruption.hpp"

#include <unistd.h>

#include <cstdio>

namespace pipeline::runner::engine {

void Interruption::announce(const char* message) {
  std::lock_guard lock(m_announce_mutex);
  if (m_announcer) {
    m_announcer(message);
    return;
  }
  std::fputs(message, stderr);
}

void Interruption::set_announcer(std::function<void(const char*)> announcer) {
  std::lock_guard lock(m_announce_mutex);
  m_announcer = std::move(announcer);
}

int closed_output_signal(int fd) { return ::isatty(fd) == 1 ? SIGHUP : SIGPIPE; }

const char* interruption_message(int signal) {
  switch (signal) {
    case SIGINT: return "\npipe: cancelling (press Ctrl-C again to stop at once)\n";
    case SIGTERM: return "pipe: terminated: cancelling (a second SIGTERM or Ctrl-C stops at once)\n";
    case SIGHUP: return "pipe: hangup: cancelling\n";
    case SIGPIPE: return "pipe: standard output is closed: cancelling\n";
    default: return "pipe: cancelling\n";
  }
}

}  // namespace pipeline::runner::engine
