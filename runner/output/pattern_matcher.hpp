#pragma once
// Multi-pattern search: an Aho–Corasick automaton with a dense transition table over byte
// classes, behind a sampled 4-gram filter that skips text where no pattern can start.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::runner::output {

/// A half-open byte range [begin, end) of a text.
struct Range {
  std::size_t begin = 0;
  std::size_t end = 0;
  friend bool operator==(const Range&, const Range&) = default;
};

/// An immutable set of patterns compiled for fast search; build once, share between threads.
class PatternMatcher {
public:
  /// Compiles `patterns` (empty strings are ignored).
  explicit PatternMatcher(const std::vector<std::string>& patterns);

  /// Every occurrence of every pattern in `text`, overlapping or touching ones merged,
  /// sorted by position.
  [[nodiscard]] std::vector<Range> find(std::string_view text) const;

  /// Length of the longest pattern (0 when there are none).
  [[nodiscard]] std::size_t longest() const { return m_longest; }

  /// Number of automaton states (for tests and benchmarks).
  [[nodiscard]] std::size_t state_count() const { return m_out_len.size(); }

private:
  void build_classes(const std::vector<std::string>& patterns);
  void build_trie(const std::vector<std::string>& patterns);
  void build_links();
  void build_filter(const std::vector<std::string>& patterns);
  void scan(std::string_view text, std::size_t from, std::size_t to, std::uint32_t& state,
            std::vector<Range>& found) const;
  void scan_filtered(std::string_view text, std::vector<Range>& found) const;
  [[nodiscard]] bool may_match_at(const char* p) const;

  std::uint32_t m_class_count = 1;
  std::uint16_t m_class[256] = {};
  std::vector<std::uint32_t> m_next;     // state * class_count + class -> target * class_count | flag
  std::vector<std::uint32_t> m_out_len;  // per state: longest pattern ending here, 0 if none
  std::vector<std::uint64_t> m_filter;   // bit set of 4-gram hashes; empty when unusable
  std::size_t m_stride = 1;
  std::size_t m_longest = 0;
  std::size_t m_shortest = 0;
};

/// Adds `r` to `ranges` (sorted by end), merging it with ranges it overlaps or touches.
void merge_range(std::vector<Range>& ranges, Range r);

}  // namespace pipeline::runner::output
