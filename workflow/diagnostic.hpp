#pragma once
// Problems in the user's input: collected with their location, printed all together.
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::workflow {

/// A place in a source file; line and column are 1-based (0 = unknown).
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

enum class Severity { error, warning };

/// One problem found in a workflow, action manifest or other user input.
struct Diagnostic {
  Severity severity = Severity::error;
  SourceLocation where;
  std::string message;
  std::string hint;  // e.g. "did you mean 'runs-on'?"; empty when none
};

/// The closest candidate within a small edit distance, or "" when none is close.
[[nodiscard]] std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// Edit distance between two strings; an adjacent transposition counts as one edit.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

/// `file:line:col: error: message`, then the source line and a caret, then the hint.
/// `source` is the whole text of the file (may be empty: no excerpt is printed then).
[[nodiscard]] std::string format_diagnostic(const Diagnostic& d, std::string_view source);

/// Like format_diagnostic, but given the text of the diagnostic's line instead of the whole
/// file, so callers printing many diagnostics can look lines up once.
[[nodiscard]] std::string format_diagnostic_with_line(const Diagnostic& d, std::string_view line_text);

/// True when any diagnostic is an error.
[[nodiscard]] bool has_errors(const std::vector<Diagnostic>& diagnostics);

}  // namespace pipeline::workflow
