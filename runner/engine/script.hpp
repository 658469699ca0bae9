#pragma once
// Running a `run:` step's script: resolve the shell, write the script file, exec it.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "runner/backend/backend.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::engine {

/// One `run:` step as the backend will execute it (expressions already evaluated).
struct ScriptStep {
  std::string shell;   // `shell:` as written (step, then defaults); empty for the default
  std::string script;  // the script text
  std::vector<std::pair<std::string, std::string>> env;  // the step's complete environment
  std::string cwd;     // empty: the workspace
  std::chrono::milliseconds timeout{0};
  CancelToken* cancel = nullptr;
};

/// Writes the script under the job's RUNNER_TEMP (a fresh name with the shell's extension)
/// and runs it with the shell GitHub would choose; the file stays there until teardown.
[[nodiscard]] Result<ExitStatus> run_script(Backend& backend, const JobEnv& job, const ScriptStep& step,
                                            OutputSink& sink);

/// "Process completed with exit code N." — GitHub's message for a failed script.
[[nodiscard]] std::string process_exit_message(int code);

/// A random file name stem like GitHub's script files (a UUID v4).
[[nodiscard]] std::string random_script_name();

}  // namespace pipeline::runner::engine
