#pragma once
// GitHub's filter patterns for branches, tags and paths (`*`, `**`, `?`, `+`, `[]`, `!`, `\`).
//
// `*` matches any run of characters except `/`, `**` any run including `/` (and `**/` may
// match nothing, so `**/README.md` matches `README.md`), `?` makes the preceding character
// optional, `+` repeats it, `[a-z0-9]` is one character of a class, `\` escapes, and a leading
// `!` negates the pattern inside a list.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/base/result.hpp"

namespace pipeline::workflow::filters {

/// Why `pattern` is not a valid filter pattern, or nullopt when it is.
[[nodiscard]] std::optional<std::string> validate_glob(std::string_view pattern);

/// A filter pattern compiled once and matched many times.
class GlobPattern {
public:
  /// One element of a compiled pattern (exposed only so the matcher can be a free function).
  struct Atom {
    enum class Kind { literal, char_class, star, double_star, any_dirs };
    enum class Repeat { once, optional, one_or_more };
    Kind kind = Kind::literal;
    Repeat repeat = Repeat::once;
    char literal = 0;
    std::string class_chars;  // every character the class accepts
  };

  /// Compiles `pattern`, or explains why it is invalid.
  [[nodiscard]] static Result<GlobPattern> compile(std::string_view pattern);

  /// Whether the whole of `value` matches (the `!` prefix is ignored here).
  [[nodiscard]] bool matches(std::string_view value) const;
  /// Whether the pattern started with `!`.
  [[nodiscard]] bool negated() const { return m_negated; }
  /// The pattern as written.
  [[nodiscard]] const std::string& text() const { return m_text; }

private:
  std::string m_text;
  bool m_negated = false;
  std::vector<Atom> m_atoms;
};

/// An ordered list of patterns: the last pattern that matches a value decides (a positive one
/// includes it, a `!` one excludes it); a value no pattern matches is excluded.
class FilterList {
public:
  /// Compiles every pattern, or explains the first invalid one.
  [[nodiscard]] static Result<FilterList> compile(const std::vector<std::string>& patterns);

  /// Whether the list includes `value`.
  [[nodiscard]] bool matches(std::string_view value) const;

private:
  std::vector<GlobPattern> m_patterns;
};

/// Whether the ordered include/negate list `patterns` includes `value`; an invalid pattern
/// matches nothing.
[[nodiscard]] bool match_filters(const std::vector<std::string>& patterns, std::string_view value);

/// Whether the single pattern `pattern` (without `!` handling) matches `value`.
[[nodiscard]] bool match_glob(std::string_view pattern, std::string_view value);

}  // namespace pipeline::workflow::filters
