#pragma once
// IANA time zone names, as `on.schedule[].timezone` takes them.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::workflow::filters {

/// Where the system's time zone database lives (Debian's `tzdata`).
inline constexpr std::string_view k_zoneinfo_dir = "/usr/share/zoneinfo";

/// Why `name` is not an IANA time zone, or nullopt when it is one. Names are looked up in
/// `zoneinfo_dir`; when that directory does not exist only the form of the name is checked.
[[nodiscard]] std::optional<std::string> validate_timezone(std::string_view name,
                                                           std::string_view zoneinfo_dir = k_zoneinfo_dir);

/// The zone names next to where `name` would be (`Europe/Berln` → every `Europe/...`), for a
/// did-you-mean hint; empty when there is no such directory.
[[nodiscard]] std::vector<std::string> sibling_timezones(std::string_view name,
                                                         std::string_view zoneinfo_dir = k_zoneinfo_dir);

}  // namespace pipeline::workflow::filters
