#pragma once
// Running one step inside the agent: a child in its own process group, its output framed back.
#include "runner/agent/channel.hpp"
#include "runner/agent/protocol.hpp"

namespace pipeline::runner::agent {

/// How long a step has between SIGTERM and SIGKILL, as pipe gives host steps.
inline constexpr int k_kill_grace_ms = 500;

/// Runs `request` to completion, streaming its output over `channel` and obeying its timeout and
/// cancel frames (or the end of stdin, which cancels too).
[[nodiscard]] Exit run_step(const Request& request, Channel& channel);

}  // namespace pipeline::runner::agent
