#include "runner/engine/interruption.hpp"

#include <unistd.h>

namespace pipeline::runner::engine {

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
