#pragma once
// A YAML value with `${{ }}` inside it, evaluated the way GitHub's template evaluator does.
#include <string_view>

#include "workflow/expr/evaluator.hpp"
#include "workflow/model.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::workflow {

/// True for a mapping key that is the `${{ insert }}` directive (spaces inside are free).
[[nodiscard]] bool is_insert_directive(std::string_view key);

/// Evaluates every `${{ }}` in `node`: scalars keep their YAML type, a string that is exactly one
/// expression keeps the expression's type, other strings become text. A mapping key with
/// `${{ }}` becomes the text it evaluates to, and a `${{ insert }}` key puts the entries of its
/// (evaluated) mapping in its place. Errors start with where the failing key or value is written
/// (`file:line:col: `).
[[nodiscard]] Result<expr::Value> evaluate_template_node(const Node& node, expr::EvalContext& context);

}  // namespace pipeline::workflow
