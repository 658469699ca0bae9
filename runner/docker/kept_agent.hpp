#pragma once
// The step agent of a kept container, reached without the engine: the container's own process
// starts `pipe-agent --listen` on a socket in the container's bind-mounted host directory, and
// each pipe process connects to that socket instead of starting the agent with an exec.
#include <memory>
#include <string>

#include "runner/docker/http.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::docker {

/// `pipe-agent-<digest of its bytes>`: a container holding this name holds this very agent.
[[nodiscard]] const std::string& agent_file_name();

/// The owner-only directory inside a kept container's host directory holding its agent and socket.
[[nodiscard]] std::string kept_agent_dir(const std::string& host_dir);
/// Where the kept container's agent executable is (the same path inside the container).
[[nodiscard]] std::string kept_agent_path(const std::string& host_dir);
/// The socket the kept container's agent listens on.
[[nodiscard]] std::string kept_agent_socket(const std::string& host_dir);

/// Writes the agent into kept_agent_dir (made owner-only) unless it is there; before the
/// container is created, so its own process can start the agent. Best effort: without it the
/// container's steps reach an agent through an exec.
void install_kept_agent(const std::string& host_dir);

/// A connection to the agent listening on `socket`: frames both ways, nothing multiplexed. An
/// error when the socket is missing, refuses, or its path does not fit a unix socket address.
[[nodiscard]] Result<std::unique_ptr<RawStream>> connect_kept_agent(const std::string& socket);

}  // namespace pipeline::runner::docker
