#pragma once
// Reading back what a step wrote to GITHUB_ENV, GITHUB_OUTPUT, GITHUB_STATE, GITHUB_PATH and
// GITHUB_STEP_SUMMARY, with the runner's grammar and error texts.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "workflow/base/result.hpp"

namespace pipeline::runner::output {

/// Name/value pairs in file order (a later pair for the same name wins when applied).
using KeyValuePairs = std::vector<std::pair<std::string, std::string>>;

/// Parses GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE: `NAME=VALUE` lines and `NAME<<DELIM`
/// heredocs; lines split on `\n` only, as the runner does on Linux (a CRLF file keeps its `\r`s
/// in values, and a heredoc written with CRLF still closes because its delimiter has the `\r`
/// too). The first malformed entry is the error.
[[nodiscard]] pipeline::Result<KeyValuePairs> parse_key_value_file(std::string_view text);

/// GitHub's message for a NODE_OPTIONS line in GITHUB_ENV.
inline constexpr std::string_view k_node_options_refused =
    "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.";

/// Removes the pairs GITHUB_ENV may not set (NODE_OPTIONS, any case) and returns one error
/// message per pair removed; the other pairs still apply, as on GitHub.
[[nodiscard]] std::vector<std::string> refuse_blocked_env(KeyValuePairs& pairs);

/// The directories of a GITHUB_PATH file in the order written (empty lines skipped; a trailing
/// `\r` is dropped). The caller prepends them so the last one comes first in PATH.
[[nodiscard]] std::vector<std::string> parse_path_file(std::string_view text);

/// The most a step summary may hold, in bytes.
inline constexpr std::size_t k_step_summary_limit = 1024 * 1024;

/// A step summary as read back; `error` is set (and `markdown` empty) when it was too large.
struct StepSummary {
  std::string markdown;
  std::string error;
};

/// Checks a step summary's size the way the runner does before uploading it.
[[nodiscard]] StepSummary check_step_summary(std::string content);

/// Reads a step summary file; a missing file is an empty summary.
[[nodiscard]] pipeline::Result<StepSummary> read_step_summary(const std::string& path);

}  // namespace pipeline::runner::output
