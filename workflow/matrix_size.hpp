#pragma once
// How many jobs a `strategy.matrix` expands to, when that is known before running.
#include <cstddef>
#include <optional>

#include "workflow/model.hpp"

namespace pipeline::workflow {

/// The number of combinations of `matrix` (a mapping with optional include/exclude), or
/// nullopt when any part of it is an expression evaluated only at run time.
[[nodiscard]] std::optional<std::size_t> static_matrix_size(const Node& matrix);

/// True when two YAML values are equal (same kind and text, recursively).
[[nodiscard]] bool same_value(const Node& a, const Node& b);

}  // namespace pipeline::workflow
