#include "workflow/matrix_size.hpp"

#include <algorithm>
#include <string>
#include <vector>


namespace pipeline::workflow {
namespace {

using Combination = std::vector<std::pair<std::string, const Node*>>;

const Node* value_in(const Combination& combination, const std::string& key) {
  for (const auto& [name, value] : combination) {
    if (name == key) {
      return value;
    }
  }
  return nullptr;
}

// A combination matches a partial one when every key of the partial one has the same value.
bool matches(const Combination& combination, const Node& partial, const std::vector<std::string>& axes) {
  for (const auto& entry : partial.entries) {
    const bool is_axis = std::find(axes.begin(), axes.end(), entry.key) != axes.end();
    const Node* value = value_in(combination, entry.key);
    if (is_axis && (value == nullptr || !same_value(*value, entry.value))) {
      return false;
    }
  }
  return true;
}

// Past this the count stops mattering (GitHub refuses more than 256 jobs per matrix) and the
// product would only waste memory.
constexpr std::size_t k_max_product = 100000;

std::optional<std::vector<Combination>> product(const Node& matrix, std::vector<std::string>& axes) {
  std::vector<Combination> combinations{Combination{}};
  for (const auto& entry : matrix.entries) {
    if (entry.key == "include" || entry.key == "exclude") {
      continue;
    }
    if (!entry.value.is_sequence()) {
      return std::nullopt;
    }
    axes.push_back(entry.key);
    std::vector<Combination> next;
    for (const auto& combination : combinations) {
      for (const auto& item : entry.value.items) {
        next.push_back(combination);
        next.back().emplace_back(entry.key, &item);
      }
    }
    if (next.size() > k_max_product) {
      return std::nullopt;
    }
    combinations = std::move(next);
  }
  if (axes.empty()) {
    combinations.clear();
  }
  return combinations;
}

const Node* list_or_null(const Node& matrix, std::string_view key, bool& dynamic) {
  const Node* list = matrix.find(key);
  if (list == nullptr || list->is_null()) {
    return nullptr;
  }
  if (!list->is_sequence()) {
    dynamic = true;
    return nullptr;
  }
  for (const auto& item : list->items) {
    if (!item.is_mapping()) {
      dynamic = true;
    }
  }
  return list;
}

}  // namespace

bool same_value(const Node& a, const Node& b) {
  if (a.kind != b.kind || a.scalar != b.scalar || a.items.size() != b.items.size() ||
      a.entries.size() != b.entries.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.items.size(); ++i) {
    if (!same_value(a.items[i], b.items[i])) {
      return false;
    }
  }
  for (std::size_t i = 0; i < a.entries.size(); ++i) {
    if (a.entries[i].key != b.entries[i].key || !same_value(a.entries[i].value, b.entries[i].value)) {
      return false;
    }
  }
  return true;
}

std::optional<std::size_t> static_matrix_size(const Node& matrix) {
  if (!matrix.is_mapping()) {
    return std::nullopt;
  }
  std::vector<std::string> axes;
  auto combinations = product(matrix, axes);
  bool dynamic = !combinations.has_value();
  const Node* exclude = list_or_null(matrix, "exclude", dynamic);
  const Node* include = list_or_null(matrix, "include", dynamic);
  if (dynamic) {
    return std::nullopt;
  }
  if (exclude != nullptr) {
    std::erase_if(*combinations, [&](const Combination& c) {
      return std::any_of(exclude->items.begin(), exclude->items.end(),
                         [&](const Node& partial) { return matches(c, partial, axes); });
    });
  }
  std::size_t size = combinations->size();
  if (include != nullptr) {
    // An include entry extends every combination whose original values it does not
    // contradict; one that extends none becomes a combination of its own.
    for (const auto& entry : include->items) {
      const bool extends_one = std::any_of(combinations->begin(), combinations->end(),
                                           [&](const Combination& c) { return matches(c, entry, axes); });
      if (!extends_one) {
        ++size;
      }
    }
  }
  return size;
}

}  // namespace pipeline::workflow
