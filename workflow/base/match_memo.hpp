#pragma once
// The memo that keeps backtracking glob matchers polynomial: branch filters, path filters and
// hashFiles all match a pattern with several `*`/`**` against a subject by trying each split,
// which without a memo is exponential in the number of wildcards.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace pipeline::workflow {

/// Remembers a matcher's answer for each (pattern position, subject position) pair, so each pair
/// is worked out once: O(pattern × subject) steps instead of one per way of splitting the subject.
class MatchMemo {
public:
  /// A table for pattern positions 0..pattern_size and subject positions 0..subject_size.
  MatchMemo(std::size_t pattern_size, std::size_t subject_size)
      : m_columns(subject_size + 1), m_cells((pattern_size + 1) * (subject_size + 1), k_unknown) {}

  /// The answer at (pattern, subject): `compute()` the first time, the remembered one after.
  template <typename Compute>
  [[nodiscard]] bool at(std::size_t pattern, std::size_t subject, Compute&& compute) {
    // The table never grows, so the reference stays valid while `compute` recurses.
    std::int8_t& cell = m_cells[pattern * m_columns + subject];
    if (cell == k_unknown) {
      cell = compute() ? 1 : 0;
    }
    return cell == 1;
  }

private:
  static constexpr std::int8_t k_unknown = -1;
  std::size_t m_columns;
  std::vector<std::int8_t> m_cells;
};

}  // namespace pipeline::workflow
