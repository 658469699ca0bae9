#pragma once
// Internal to the container backend: the create body of a job's own container, shared by a job
// that creates its container (docker_backend.cpp) and the warm containers made ahead of jobs
// (warm_jobs.cpp), so a warm container is exactly the one the job would have created.
#include <string>

#include <nlohmann/json.hpp>

#include "runner/backend/backend.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::docker::detail {

/// The network a job container starts on: the host's for a job without `container:` (or
/// --network's), else the job's own network ("bridge" for a kept container, which joins it later).
[[nodiscard]] std::string job_network_mode(const JobSpec& spec, const JobEnv& env);

/// The job container's create body: `tail -f /dev/null` under docker-init, `host_dir` and the
/// workspace bound at their host paths, the action mounts, volumes, the engine socket (when
/// `engine_socket` names one), ports and the job's options.
[[nodiscard]] Result<nlohmann::json> job_container_body(const JobSpec& spec, const JobEnv& env, const std::string& host_dir,
                                                        const std::string& engine_socket);

}  // namespace pipeline::runner::docker::detail
