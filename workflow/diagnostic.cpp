#include "workflow/diagnostic.hpp"

#include <algorithm>
#include <numeric>

namespace pipeline::workflow {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: like Levenshtein, but swapping two adjacent characters ("wiht")
  // is one edit, since that is the most common typo in keys.
  std::vector<std::size_t> before(b.size() + 1);
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  std::iota(previous.begin(), previous.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitute});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  // Allow roughly one typo per three characters, like most "did you mean" helpers.
  const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const auto& candidate : candidates) {
    const std::size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

namespace {

std::string_view line_of(std::string_view source, int line) {
  std::size_t start = 0;
  for (int current = 1; current < line; ++current) {
    const std::size_t nl = source.find('\n', start);
    if (nl == std::string_view::npos) {
      return {};
    }
    start = nl + 1;
  }
  std::size_t end = source.find('\n', start);
  if (end == std::string_view::npos) {
    end = source.size();
  }
  std::string_view text = source.substr(start, end - start);
  if (!text.empty() && text.back() == '\r') {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

std::string format_diagnostic(const Diagnostic& d, std::string_view source) {
  return format_diagnostic_with_line(d, d.where.line > 0 ? line_of(source, d.where.line) : std::string_view{});
}

std::string format_diagnostic_with_line(const Diagnostic& d, std::string_view text) {
  std::string out = d.where.file;
  if (d.where.line > 0) {
    out += ':' + std::to_string(d.where.line);
    if (d.where.column > 0) {
      out += ':' + std::to_string(d.where.column);
    }
  }
  out += d.severity == Severity::error ? ": error: " : ": warning: ";
  out += d.message;
  out += '\n';
  if (!text.empty() && text.size() < 500) {
    out += "  ";
    out += text;
    out += "\n  ";
    // Keep tabs so the caret lines up under the same column as in the source line.
    for (int i = 1; i < d.where.column && static_cast<std::size_t>(i - 1) < text.size(); ++i) {
      out += text[static_cast<std::size_t>(i - 1)] == '\t' ? '\t' : ' ';
    }
    out += "^\n";
  }
  if (!d.hint.empty()) {
    out += "  " + d.hint + '\n';
  }
  return out;
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::error; });
}

}  // namespace pipeline::workflow
