#pragma once
// The images a hook's jobs would run in, read from the workflow as written (before any job
// starts), so the hook can check they are here before it puts the jobs in containers.
#include <string>
#include <utility>
#include <vector>

#include "runner/hook/backend_choice.hpp"
#include "workflow/model.hpp"

namespace pipeline::runner::hook {

/// The image of each job of `wf` that runs for `chosen` (those jobs and the jobs they need; every
/// job when `chosen` is empty): its `container:` image, else the image its `runs-on` labels map
/// to through `platforms` as `pipe run` maps them; an empty image when an expression decides it.
/// A job that calls a workflow, or whose labels map to the host or to no runner, has none.
[[nodiscard]] std::vector<JobImage> job_images(const workflow::Workflow& wf, const std::vector<std::string>& chosen,
                                               const std::vector<std::pair<std::string, std::string>>& platforms);

}  // namespace pipeline::runner::hook
