#pragma once
// The forms a secret can take in a log: GitHub's runner masks each of them, not only the raw value.
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::runner::output {

/// JSON string escape without the surrounding quotes (`"` `\` and control characters).
[[nodiscard]] std::string json_escape(std::string_view value);

/// Every form of `value` to mask: the value, its base64 forms (shifted by 0, 1, 2 bytes, padding
/// dropped, standard and URL-safe alphabets), JSON, URI and XML escapes, `"`→`\"`, `'`→`''`, and
/// the value without surrounding double quotes. Deduplicated, never empty strings.
[[nodiscard]] std::vector<std::string> masked_forms(std::string_view value);

}  // namespace pipeline::runner::output
