#pragma once
// Running one host process: exact environment, separate output streams, whole-tree kill.
#include <chrono>
#include <optional>
#include <string>

#include "runner/backend/backend.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner {

/// How long a process group gets between SIGTERM and SIGKILL on timeout or cancel.
inline constexpr std::chrono::milliseconds k_kill_grace{500};

/// Called once with the process id (also its group id) right after the spawn.
class SpawnObserver {
public:
  virtual ~SpawnObserver() = default;
  virtual void spawned(int pid) = 0;
};

/// Finds `program` in the colon-separated `path` (programs with a '/' are returned as they are).
[[nodiscard]] std::optional<std::string> find_program(const std::string& program, const std::string& path);

/// Runs `spec.argv` in its own session with exactly `spec.env`, streaming stdout and stderr to
/// `sink` as they arrive; on timeout or cancel the whole process group is killed.
[[nodiscard]] Result<ExitStatus> run_process(const ExecSpec& spec, OutputSink& sink,
                                             SpawnObserver* observer = nullptr);

/// Sends SIGTERM to process group `pgid`, then SIGKILL after `grace` (no wait when it is empty).
void kill_process_group(int pgid, std::chrono::milliseconds grace = k_kill_grace);

}  // namespace pipeline::runner
