#pragma once
// The pure rules of artifacts: which names are valid, and the timestamps the results API speaks.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline::runner::services {

/// Why `name` cannot name an artifact (GitHub's forbidden characters, `.`/`..`, a path), or
/// nullopt when it can. The message reads "artifact name '<name>' <reason>".
[[nodiscard]] std::optional<std::string> artifact_name_problem(std::string_view name);

/// Unix seconds of an RFC 3339 UTC timestamp as protobuf JSON writes it
/// (`2026-12-05T01:30:00Z`, fractions allowed); nullopt when it is not one.
[[nodiscard]] std::optional<std::int64_t> parse_timestamp(std::string_view text);

/// `seconds` as protobuf JSON's Timestamp (`2026-12-05T01:30:00Z`).
[[nodiscard]] std::string format_timestamp(std::int64_t seconds);

}  // namespace pipeline::runner::services
