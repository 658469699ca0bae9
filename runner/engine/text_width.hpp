#pragma once
// How many terminal columns UTF-8 text takes, and cutting it to fit: live lines must never wrap.
#include <cstddef>
#include <string>
#include <string_view>

namespace pipeline::runner::engine {

/// The columns a code point takes: 0 for combining marks and zero-width characters, 2 for East
/// Asian wide and fullwidth characters and emoji, 1 for the rest.
[[nodiscard]] int code_point_width(char32_t code_point);

/// The columns `text` takes on a terminal; an invalid byte counts as one column (it is shown as
/// one replacement character by truncate_to_width).
[[nodiscard]] std::size_t display_width(std::string_view text);

/// `text` made safe for one terminal line and cut to at most `columns`: control characters
/// become spaces, invalid UTF-8 becomes '?', and a cut line ends in "…" (within `columns`).
[[nodiscard]] std::string truncate_to_width(std::string_view text, std::size_t columns);

}  // namespace pipeline::runner::engine
