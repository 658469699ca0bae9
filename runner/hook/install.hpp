#pragma once
// Installing pipe as a git hook: the script in the hooks directory, chaining the hook that was
// there before, and saying what is installed.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/base/result.hpp"

namespace pipeline::runner::hook {

/// The git hooks pipe can be.
enum class Stage { pre_commit, pre_push };

/// "pre-commit" or "pre-push" (also the hook's file name).
[[nodiscard]] std::string_view to_string(Stage stage);

/// The stage named `text`, or nullopt.
[[nodiscard]] std::optional<Stage> parse_stage(std::string_view text);

/// What an installed hook runs.
struct HookSettings {
  Stage stage = Stage::pre_commit;
  std::vector<std::string> jobs;  // empty: the config file's hook.jobs, else every job
  std::string workflow;           // empty: .github/workflows
  std::optional<bool> warm;       // --warm / --no-warm: whether job containers are kept between commits
  long warm_idle = 0;             // --warm-idle seconds; 0: the config's, else the default
  std::string backend;            // --backend host|docker|auto; empty: the config's, else the default
};

/// The hooks directory of the repository containing `dir`: `core.hooksPath` when set (relative
/// to the work tree root), else the common git dir's `hooks/` (shared by linked worktrees).
[[nodiscard]] Result<std::filesystem::path> hooks_directory(const std::filesystem::path& dir);

/// The hook script calling `pipe_exe hook run` with `settings`, chaining `<hook>.pipe-chained`.
[[nodiscard]] std::string hook_script(const std::string& pipe_exe, const HookSettings& settings);

/// Writes the hook; a foreign hook already there is renamed to `<hook>.pipe-chained` and runs
/// first. Returns a sentence saying what was done.
[[nodiscard]] Result<std::string> install_hook(const std::filesystem::path& dir, const std::string& pipe_exe,
                                               const HookSettings& settings);

/// Removes pipe's hook for `stage` and puts a chained hook back. Returns what was done.
[[nodiscard]] Result<std::string> uninstall_hook(const std::filesystem::path& dir, Stage stage);

/// Lines saying, for each stage, whether pipe is installed, with which jobs, and what it chains.
[[nodiscard]] Result<std::string> hook_status(const std::filesystem::path& dir);

}  // namespace pipeline::runner::hook
