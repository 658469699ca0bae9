#pragma once
// The `hook:` section of the repository's `.pipe.yml` (jobs and workflow a hook runs).
// A small reader of its own until the config module (runner/config) offers `hook.jobs`.
#include <filesystem>
#include <string>
#include <vector>

#include "workflow/result.hpp"

namespace pipeline::runner::hook {

/// `hook.jobs` (a list, or a comma-separated string) and `hook.workflow`.
struct HookConfig {
  std::vector<std::string> jobs;
  std::string workflow;
};

/// Reads `<root>/.pipe.yml`; a missing file or section gives an empty config.
[[nodiscard]] Result<HookConfig> read_hook_config(const std::filesystem::path& root);

/// "a,b , c" as {"a", "b", "c"}.
[[nodiscard]] std::vector<std::string> split_list(const std::string& text);

}  // namespace pipeline::runner::hook
