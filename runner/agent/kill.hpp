#pragma once
// Ending a step's processes: its process group, and every process carrying its marker.
#include <string>

namespace pipeline::runner::agent {

/// Stops, then kills, every process whose environment holds `marker_line` ("PIPE_EXEC_ID=..."):
/// what left the step's group (a daemon that called setsid) is found this way.
void kill_marked(const std::string& marker_line);

}  // namespace pipeline::runner::agent
