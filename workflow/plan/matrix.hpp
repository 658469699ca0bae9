#pragma once
// Matrix expansion with GitHub's semantics, on a matrix whose `${{ }}` are already evaluated.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "workflow/base/result.hpp"

namespace pipeline::workflow::plan {

/// GitHub refuses a matrix that expands to more jobs than this.
inline constexpr std::size_t k_max_matrix_combinations = 256;

/// One job's `matrix` context: key → value, in GitHub's key order.
using MatrixCombination = nlohmann::ordered_json;

/// Expands `matrix` (an object of vectors plus optional `include` / `exclude` lists):
/// the cartesian product in key order, minus every combination an `exclude` entry matches on
/// all of its keys, then each `include` entry merged into every original combination whose
/// original values it does not overwrite, or appended as a new combination when there is none.
/// A null or empty matrix gives one empty combination.
[[nodiscard]] Result<std::vector<MatrixCombination>> expand_matrix(const nlohmann::ordered_json& matrix);

/// The name GitHub shows for one matrix job: `build (ubuntu-latest, 18)`; values in key order,
/// nested objects and arrays flattened to their scalar values.
[[nodiscard]] std::string matrix_job_name(std::string_view job_name, const MatrixCombination& combination);

/// A matrix value as text: strings as they are, numbers and booleans as JSON writes them,
/// null as an empty string.
[[nodiscard]] std::string matrix_value_text(const nlohmann::ordered_json& value);

/// One `--matrix KEY=VALUE` (or `KEY:VALUE`) selection.
struct MatrixFilter {
  std::string key;
  std::string value;
};

/// Parses `KEY=VALUE` or `KEY:VALUE`.
[[nodiscard]] Result<MatrixFilter> parse_matrix_filter(std::string_view text);

/// The combinations that satisfy every key of `filters`; several filters on one key are
/// alternatives. No filters keeps every combination.
[[nodiscard]] std::vector<MatrixCombination> filter_combinations(
    const std::vector<MatrixCombination>& combinations, const std::vector<MatrixFilter>& filters);

}  // namespace pipeline::workflow::plan
