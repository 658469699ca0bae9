#pragma once
// Turning the model's late-evaluated values into expression values and environments.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "workflow/expr/evaluator.hpp"
#include "workflow/expr/value.hpp"
#include "workflow/model.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::job {

/// Ordered NAME=VALUE pairs; a later set of the same name replaces the earlier value in place.
using EnvList = std::vector<std::pair<std::string, std::string>>;

/// Sets `name` in `env`, replacing an existing entry.
void set_env(EnvList& env, const std::string& name, std::string value);

/// The value of `name` in `env`, or nullptr.
[[nodiscard]] const std::string* find_env(const EnvList& env, std::string_view name);

/// A model value with every `${{ }}` evaluated (see workflow::evaluate_template_node: keys and
/// `${{ insert }}` too); a string that is exactly one expression keeps the expression's type.
[[nodiscard]] Result<workflow::expr::Value> evaluate_node(const workflow::Node& node,
                                                          workflow::expr::EvalContext& context);

/// The GitHub string form of an evaluated node.
[[nodiscard]] Result<std::string> evaluate_string(const workflow::Node& node, workflow::expr::EvalContext& context);

/// A template string evaluated to its string form.
[[nodiscard]] Result<std::string> evaluate_text(std::string_view text, workflow::expr::EvalContext& context);

/// Evaluates each entry of an `env:` mapping into `env` (in order, replacing existing names).
[[nodiscard]] Result<void> evaluate_env(const std::optional<workflow::Node>& mapping,
                                        workflow::expr::EvalContext& context, EnvList& env);

/// The `env` context: a case-sensitive object of `env`.
[[nodiscard]] workflow::expr::Value env_context(const EnvList& env);

/// An object of string values.
[[nodiscard]] workflow::expr::Value string_map(const std::vector<std::pair<std::string, std::string>>& entries);

/// A JSON document as an expression value.
[[nodiscard]] workflow::expr::Value json_context(const nlohmann::json& json);

/// Where an error in a workflow's value was: "file:line:col: " (or "" when unknown).
[[nodiscard]] std::string where_prefix(const workflow::SourceLocation& where);

}  // namespace pipeline::runner::job
