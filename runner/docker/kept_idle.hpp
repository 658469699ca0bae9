#pragma once
// Kept containers that remove themselves when unused (a hook's warm containers): the container's
// own process watches a marker file in its host directory and exits after an idle time, so no
// pipe process has to outlive the commit. Taking the container and reaping it race through one
// rename, so a job never gets a container that is about to go.
#include <chrono>
#include <string>
#include <vector>

namespace pipeline::runner::docker {

/// The Entrypoint + Cmd of a kept container that exits (and, being AutoRemove, goes) once it has
/// been unused for about `idle`; `host_dir` is its bind-mounted directory, at the same path inside.
/// It starts the agent install_kept_agent left there, listening on kept_agent_socket.
[[nodiscard]] std::vector<std::string> reaping_command(const std::string& host_dir, std::chrono::seconds idle);

/// Marks the kept container of `host_dir` in use; false when it has reaped itself (or is doing
/// so right now): the caller must replace it.
[[nodiscard]] bool claim_kept(const std::string& host_dir);

/// Marks the kept container of `host_dir` unused from now on; its idle time starts.
void release_kept(const std::string& host_dir);

}  // namespace pipeline::runner::docker
