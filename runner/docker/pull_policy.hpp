#pragma once
// When images are pulled from a registry: the one spelling `--pull` and the backend share.
#include <string_view>

#include "workflow/base/result.hpp"

namespace pipeline::runner::docker {

/// When images are pulled from a registry.
enum class PullPolicy { missing, always, never };

/// "missing" | "always" | "never" (as `--pull` takes it).
[[nodiscard]] Result<PullPolicy> parse_pull_policy(std::string_view text);

}  // namespace pipeline::runner::docker
