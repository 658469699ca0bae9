#include "runner/agent/agent_blob.hpp"

// The executable is assembled into read-only data between two symbols.
asm(".section .rodata\n"
    ".balign 16\n"
    "pipe_agent_binary_begin:\n"
    ".incbin \"" PIPE_AGENT_BINARY "\"\n"
    "pipe_agent_binary_end:\n"
    ".previous\n");

extern "C" {
extern const char pipe_agent_binary_begin[];
extern const char pipe_agent_binary_end[];
}

namespace pipeline::runner::agent {

std::string_view agent_binary() {
  return {pipe_agent_binary_begin, static_cast<std::size_t>(pipe_agent_binary_end - pipe_agent_binary_begin)};
}

}  // namespace pipeline::runner::agent
