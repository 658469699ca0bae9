#pragma once
// Case-insensitive text operations as .NET's OrdinalIgnoreCase performs them: each character is
// upper-cased with Unicode simple case mapping, then compared ordinally (UTF-16 order).
#include <string>
#include <string_view>

namespace pipeline::workflow::expr {

/// Simple (one-to-one) upper-case mapping; ASCII-targeting exceptions (ı, ſ) are left alone.
[[nodiscard]] char32_t simple_upper(char32_t c);
/// `text` with every character upper-cased, used as a case-insensitive lookup key.
[[nodiscard]] std::string fold_key(std::string_view text);
/// <0, 0, >0 like strcmp, ignoring case.
[[nodiscard]] int compare_ignore_case(std::string_view a, std::string_view b);
[[nodiscard]] bool equals_ignore_case(std::string_view a, std::string_view b);
[[nodiscard]] bool contains_ignore_case(std::string_view haystack, std::string_view needle);
[[nodiscard]] bool starts_with_ignore_case(std::string_view text, std::string_view prefix);
[[nodiscard]] bool ends_with_ignore_case(std::string_view text, std::string_view suffix);
/// Number of UTF-16 code units in `text` (positions in error messages count these, as .NET does).
[[nodiscard]] std::size_t utf16_length(std::string_view text);

}  // namespace pipeline::workflow::expr
