#pragma once
// The pipe-agent executable, built with pipe and carried inside it.
#include <string_view>

namespace pipeline::runner::agent {

/// The bytes of the static pipe-agent executable for this machine's architecture.
[[nodiscard]] std::string_view agent_binary();

}  // namespace pipeline::runner::agent
