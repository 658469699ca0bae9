#include "workflow/plan/matrix.hpp"

#include <algorithm>
#include <map>

namespace pipeline::workflow::plan {
namespace {

using Json = nlohmann::ordered_json;

bool is_dimension(const std::string& key) {
  return key != "include" && key != "exclude";
}

Result<std::vector<Json>> entries_of(const Json& matrix, const char* key) {
  std::vector<Json> entries;
  if (!matrix.contains(key) || matrix[key].is_null()) {
    return entries;
  }
  const Json& list = matrix[key];
  if (!list.is_array()) {
    return Error{std::string("matrix '") + key + "' must be a list of mappings"};
  }
  for (const auto& entry : list) {
    if (!entry.is_object()) {
      return Error{std::string("each matrix '") + key + "' entry must be a mapping, not " + entry.dump()};
    }
    entries.push_back(entry);
  }
  return entries;
}

Result<std::vector<Json>> cartesian_product(const Json& matrix) {
  std::vector<Json> combinations{Json::object()};
  bool any_dimension = false;
  for (const auto& [key, values] : matrix.items()) {
    if (!is_dimension(key)) {
      continue;
    }
    if (!values.is_array()) {
      return Error{"matrix vector '" + key + "' must be a list, not " + values.dump()};
    }
    if (values.empty()) {
      return Error{"matrix vector '" + key + "' does not contain any values"};
    }
    any_dimension = true;
    std::vector<Json> next;
    for (const auto& combination : combinations) {
      for (const auto& value : values) {
        Json extended = combination;
        extended[key] = value;
        next.push_back(std::move(extended));
      }
    }
    combinations = std::move(next);
    if (combinations.size() > k_max_matrix_combinations * k_max_matrix_combinations) {
      return Error{"matrix has more than " + std::to_string(k_max_matrix_combinations) +
                   " combinations (GitHub's limit)"};
    }
  }
  // With no vectors there is no original combination: every include entry becomes a job.
  return any_dimension ? combinations : std::vector<Json>{};
}

// Every key of `entry` has the same value in `combination` (a partial match).
bool matches_all(const Json& entry, const Json& combination) {
  return std::all_of(entry.items().begin(), entry.items().end(), [&](const auto& item) {
    return combination.contains(item.key()) && combination[item.key()] == item.value();
  });
}

Result<void> apply_exclude(const Json& matrix, std::vector<Json>& combinations) {
  auto excludes = entries_of(matrix, "exclude");
  if (!excludes) {
    return excludes.error();
  }
  for (const auto& entry : *excludes) {
    for (const auto& item : entry.items()) {
      if (!matrix.contains(item.key()) || !is_dimension(item.key())) {
        return Error{"matrix exclude key '" + item.key() + "' does not match any key within the matrix"};
      }
    }
    combinations.erase(std::remove_if(combinations.begin(), combinations.end(),
                                      [&](const Json& c) { return matches_all(entry, c); }),
                       combinations.end());
  }
  return {};
}

// An include entry may extend a combination as long as it agrees with every original
// vector value; keys that earlier include entries added may be overwritten.
bool can_extend(const Json& entry, const Json& original, const Json& matrix) {
  return std::all_of(entry.items().begin(), entry.items().end(), [&](const auto& item) {
    const bool original_key = is_dimension(item.key()) && matrix.contains(item.key());
    return !original_key || original[item.key()] == item.value();
  });
}

Result<void> apply_include(const Json& matrix, std::vector<Json>& combinations) {
  auto includes = entries_of(matrix, "include");
  if (!includes) {
    return includes.error();
  }
  const std::size_t original_count = combinations.size();
  std::vector<Json> added;
  for (const auto& entry : *includes) {
    bool extended = false;
    for (std::size_t i = 0; i < original_count; ++i) {
      if (can_extend(entry, combinations[i], matrix)) {
        extended = true;
        for (const auto& item : entry.items()) {
          combinations[i][item.key()] = item.value();
        }
      }
    }
    if (!extended) {
      added.push_back(entry);
    }
  }
  combinations.insert(combinations.end(), added.begin(), added.end());
  return {};
}

void flatten_values(const Json& value, std::vector<std::string>& out) {
  if (value.is_object() || value.is_array()) {
    for (const auto& item : value) {
      flatten_values(item, out);
    }
    return;
  }
  out.push_back(matrix_value_text(value));
}

}  // namespace

Result<std::vector<MatrixCombination>> expand_matrix(const nlohmann::ordered_json& matrix) {
  if (matrix.is_null() || (matrix.is_object() && matrix.empty())) {
    return std::vector<Json>{Json::object()};
  }
  if (!matrix.is_object()) {
    return Error{"matrix must be a mapping, not " + matrix.dump()};
  }
  auto combinations = cartesian_product(matrix);
  if (!combinations) {
    return combinations.error();
  }
  const bool had_originals = !combinations->empty();
  if (auto excluded = apply_exclude(matrix, *combinations); !excluded) {
    return excluded.error();
  }
  if (auto included = apply_include(matrix, *combinations); !included) {
    return included.error();
  }
  if (combinations->empty()) {
    return Error{had_originals ? "matrix exclude removes every combination"
                               : "matrix defines no vectors and no include entries"};
  }
  if (combinations->size() > k_max_matrix_combinations) {
    return Error{"matrix expands to " + std::to_string(combinations->size()) + " jobs; GitHub allows at most " +
                 std::to_string(k_max_matrix_combinations)};
  }
  return combinations;
}

std::string matrix_value_text(const nlohmann::ordered_json& value) {
  if (value.is_string()) {
    return value.get<std::string>();
  }
  if (value.is_null()) {
    return "";
  }
  return value.dump();
}

std::string matrix_job_name(std::string_view job_name, const MatrixCombination& combination) {
  std::vector<std::string> values;
  flatten_values(combination, values);
  if (values.empty()) {
    return std::string(job_name);
  }
  std::string name = std::string(job_name) + " (";
  for (std::size_t i = 0; i < values.size(); ++i) {
    name += (i == 0 ? "" : ", ") + values[i];
  }
  return name + ")";
}

Result<MatrixFilter> parse_matrix_filter(std::string_view text) {
  const std::size_t split = text.find_first_of("=:");
  if (split == std::string_view::npos || split == 0) {
    return Error{"invalid matrix filter '" + std::string(text) + "': expected KEY=VALUE"};
  }
  return MatrixFilter{std::string(text.substr(0, split)), std::string(text.substr(split + 1))};
}

std::vector<MatrixCombination> filter_combinations(const std::vector<MatrixCombination>& combinations,
                                                   const std::vector<MatrixFilter>& filters) {
  std::map<std::string, std::vector<std::string>> wanted;
  for (const auto& filter : filters) {
    wanted[filter.key].push_back(filter.value);
  }
  std::vector<MatrixCombination> kept;
  for (const auto& combination : combinations) {
    const bool keep = std::all_of(wanted.begin(), wanted.end(), [&](const auto& entry) {
      if (!combination.contains(entry.first)) {
        return false;
      }
      const std::string actual = matrix_value_text(combination[entry.first]);
      return std::find(entry.second.begin(), entry.second.end(), actual) != entry.second.end();
    });
    if (keep) {
      kept.push_back(combination);
    }
  }
  return kept;
}

}  // namespace pipeline::workflow::plan
