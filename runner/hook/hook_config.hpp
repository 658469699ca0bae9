#pragma once
// The `hook:` settings (jobs and workflow a hook runs) from pipe's config files.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "workflow/base/result.hpp"

namespace pipeline::runner::hook {

/// `hook.jobs` (a list, or a comma-separated string), `hook.workflow`, the warm and backend
/// settings, and the `platforms:` jobs' labels map to.
struct HookConfig {
  std::vector<std::string> jobs;
  std::string workflow;
  std::string warm;       // `hook.warm`: "true" or "false"; empty when not set
  std::string warm_idle;  // `hook.warm-idle`: seconds; empty when not set
  std::string backend;    // `hook.backend`: "host", "docker" or "auto"; empty when not set
  std::vector<std::pair<std::string, std::string>> platforms;  // `platforms:`: label, image (or "host")
};

/// Reads the user's config file and `<root>/.pipe.yml` (the repository's wins); no file or no
/// `hook:` section gives an empty config.
[[nodiscard]] Result<HookConfig> read_hook_config(const std::filesystem::path& root);

/// "a,b , c" as {"a", "b", "c"}.
[[nodiscard]] std::vector<std::string> split_list(const std::string& text);

}  // namespace pipeline::runner::hook
