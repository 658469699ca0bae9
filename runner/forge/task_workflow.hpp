#pragma once
// The single-job workflow of a task, made ready for pipe's engine: the job's id, how many steps
// the server expects states for, and the YAML without `needs:` (those jobs ran elsewhere; their
// results and outputs come with the task).
#include <cstddef>
#include <string>

#include "workflow/base/result.hpp"

namespace pipeline::runner::forge {

/// A task's workflow, ready to run.
struct TaskWorkflow {
  std::string job_id;
  std::size_t step_count = 0;
  std::string yaml;
};

/// Reads the payload; an error when it is not YAML or does not hold exactly one job.
[[nodiscard]] Result<TaskWorkflow> prepare_task_workflow(const std::string& payload);

}  // namespace pipeline::runner::forge
