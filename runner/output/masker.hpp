#pragma once
// Replaces every registered secret (and its encoded forms) in output with `***`.
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "runner/output/pattern_matcher.hpp"

namespace pipeline::runner::output {

/// What add_secret did with a value.
enum class AddResult {
  added,      // the value and its forms are masked from now on
  too_short,  // shorter than k_min_secret_length after trimming: not masked (warn the user)
  empty,      // nothing but whitespace: nothing to mask
};

/// Secrets shorter than this (after trimming) are not masked by add_secret: masking "ab"
/// would shred every log while protecting nothing.
inline constexpr std::size_t k_min_secret_length = 4;

/// The warning shown when a secret is too short to be masked (names the secret, never its value).
[[nodiscard]] std::string too_short_warning(std::string_view secret_name);

/// Thread-safe registry of secret values; values may be added at any time, even while other
/// threads mask, and readers always see a consistent set.
class Masker {
public:
  Masker();

  /// Registers a secret (trimmed, each line at least k_min_secret_length long, every encoded
  /// form) when long enough.
  [[nodiscard]] AddResult add_secret(std::string_view value);

  /// Registers a value as `::add-mask::` does: any length, never refused unless blank (as
  /// GitHub's runner does); its lines, if several, only when long enough, as for add_secret.
  AddResult add_mask(std::string_view value);

  /// The text with every match replaced by `***` (overlapping or touching matches merged).
  [[nodiscard]] std::string mask(std::string_view text) const;

  /// Several whole lines (`\n`-separated) masked as mask() masks each line alone: a pattern
  /// spanning a line end is not applied, so the line count never changes.
  [[nodiscard]] std::string mask_lines(std::string_view lines) const;

  /// Appends mask_lines(lines) to `out` (whose memory may be reused from an earlier text).
  void append_masked_lines(std::string& out, std::string_view lines) const;

  /// The compiled pattern set at this moment; stays valid and unchanged while held.
  [[nodiscard]] std::shared_ptr<const PatternMatcher> snapshot() const;

  /// The patterns that can occur inside one line (no `\n`), compiled; see snapshot().
  [[nodiscard]] std::shared_ptr<const PatternMatcher> line_snapshot() const;

  /// Number of distinct patterns registered (values and their forms).
  [[nodiscard]] std::size_t pattern_count() const;

private:
  void register_value(std::string_view value);
  void rebuild_if_dirty() const;

  mutable std::mutex m_mutex;
  std::vector<std::string> m_patterns;
  std::unordered_set<std::string> m_known;  // m_patterns, for duplicate checks
  mutable std::shared_ptr<const PatternMatcher> m_matcher;  // rebuilt lazily after additions
  mutable std::shared_ptr<const PatternMatcher> m_line_matcher;  // m_matcher without multi-line patterns
  mutable bool m_dirty = false;
};

/// `text` with each range replaced by `***`; ranges must be sorted and disjoint.
[[nodiscard]] std::string apply_ranges(std::string_view text, const std::vector<Range>& ranges);

/// Appends apply_ranges(text, ranges) to `out`.
void append_ranges(std::string& out, std::string_view text, const std::vector<Range>& ranges);

/// Masks one output stream whose writes may split a secret anywhere: holds back the bytes a
/// match could still extend into and releases them once they are settled (or at flush()).
class MaskingStream {
public:
  explicit MaskingStream(const Masker& masker) : m_masker(masker) {}

  /// Appends bytes; returns the masked bytes that can no longer change.
  [[nodiscard]] std::string write(std::string_view bytes);

  /// Returns everything still held back, masked; call at end of stream.
  [[nodiscard]] std::string flush();

private:
  const Masker& m_masker;
  std::string m_pending;
};

}  // namespace pipeline::runner::output
