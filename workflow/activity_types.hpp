#pragma once
// The activity types each event takes under `types:`, from GitHub's "Events that trigger
// workflows" page and its workflow schema.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::workflow {

/// What `types:` of `event` may list: the documented names; nullopt when any name goes
/// (`repository_dispatch`, whose types are the senders' own); an empty list when the event
/// has no activity types at all (`push`, `create`, ...).
[[nodiscard]] std::optional<std::vector<std::string>> activity_types(std::string_view event);

}  // namespace pipeline::workflow
