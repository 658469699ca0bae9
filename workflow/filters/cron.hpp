#pragma once
// POSIX cron syntax as GitHub's `schedule` accepts it (five fields).
#include <optional>
#include <string>
#include <string_view>

namespace pipeline::workflow::filters {

/// Why `expression` is not a valid cron line, or nullopt when it is. The message names the
/// field (`minute`, `hour`, `day of month`, `month`, `day of week`) and the allowed range.
[[nodiscard]] std::optional<std::string> validate_cron(std::string_view expression);

}  // namespace pipeline::workflow::filters
