#pragma once
// GitHub's filter patterns for branches, tags and paths (`*`, `**`, `?`, `+`, `[]`, `!`).
#include <optional>
#include <string>
#include <string_view>

namespace pipeline::workflow::filters {

/// Why `pattern` is not a valid filter pattern, or nullopt when it is.
[[nodiscard]] std::optional<std::string> validate_glob(std::string_view pattern);

}  // namespace pipeline::workflow::filters
