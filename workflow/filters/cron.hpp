#pragma once
// POSIX cron syntax as GitHub's `schedule` accepts it (five fields).
#include <optional>
#include <string>
#include <string_view>

namespace pipeline::workflow::filters {

/// Why `expression` is not a valid cron line, or nullopt when it is.
[[nodiscard]] std::optional<std::string> validate_cron(std::string_view expression);

}  // namespace pipeline::workflow::filters
