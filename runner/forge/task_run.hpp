#pragma once
// The one place the forge runner meets pipe's engine: a task becomes a `pipe run` of its
// single-job workflow in a workspace of its own, with the task's github context, secrets, vars
// and needs, and every event of the run becomes log rows and step states of the task.
#include <filesystem>
#include <string>
#include <vector>

#include "runner/engine/interruption.hpp"
#include "runner/forge/daemon_config.hpp"
#include "runner/forge/labels.hpp"
#include "runner/forge/messages.hpp"
#include "runner/forge/task_log.hpp"

namespace pipeline::runner::forge {

class TaskReporter;

/// How the daemon runs tasks.
struct TaskSettings {
  const DaemonConfig* config = nullptr;
  std::vector<Label> labels;
  std::string version;                // this runner's version, for GITEA_ACTIONS_RUNNER_VERSION
  std::string instance;               // the forge's address (.runner's), home of its artifact service
  std::filesystem::path work_root;    // task workspaces go under here
};

/// The start of every task directory's name; the daemon's pid follows, so a later daemon can
/// remove those of a killed one.
inline constexpr const char* k_task_dir_prefix = "pipe-task-";

/// Runs `task` to its end and returns its result; `log` gets every row and step state, and
/// `reporter` is woken as rows pile up. Cancelling `interruption` cancels the job. The task's
/// workspace is removed before it returns. Never throws: an engine failure is a failed task.
[[nodiscard]] TaskResult run_task(const Task& task, const TaskSettings& settings, TaskLog& log,
                                  TaskReporter& reporter, engine::Interruption& interruption);

/// How many steps the task's job has (0 when its workflow cannot be read), for its TaskLog.
[[nodiscard]] std::size_t task_step_count(const Task& task);

}  // namespace pipeline::runner::forge
