#include "runner/engine/contexts.hpp"

#include <nlohmann/json.hpp>

#include "workflow/template_node.hpp"
#include "workflow/expr/template.hpp"

namespace pipeline::runner::engine {

namespace expr = workflow::expr;
using workflow::Node;

void set_env(EnvList& env, const std::string& name, std::string value) {
  for (auto& entry : env) {
    if (entry.first == name) {
      entry.second = std::move(value);
      return;
    }
  }
  env.emplace_back(name, std::move(value));
}

const std::string* find_env(const EnvList& env, std::string_view name) {
  for (const auto& entry : env) {
    if (entry.first == name) {
      return &entry.second;
    }
  }
  return nullptr;
}

std::string where_prefix(const workflow::SourceLocation& where) {
  if (where.file.empty()) {
    return {};
  }
  return where.file + ':' + std::to_string(where.line) + ':' + std::to_string(where.column) + ": ";
}

Result<expr::Value> evaluate_node(const Node& node, expr::EvalContext& context) {
  return workflow::evaluate_template_node(node, context);
}

Result<std::string> evaluate_string(const Node& node, expr::EvalContext& context) {
  auto value = evaluate_node(node, context);
  if (!value) {
    return value.error();
  }
  return value->to_display_string();
}

Result<std::string> evaluate_text(std::string_view text, expr::EvalContext& context) {
  if (!expr::has_expression(text)) {
    return std::string(text);
  }
  auto value = expr::evaluate_template(text, context);
  if (!value) {
    return value.error();
  }
  return value->to_display_string();
}

Result<void> evaluate_env(const std::optional<Node>& mapping, expr::EvalContext& context, EnvList& env) {
  if (!mapping || !mapping->is_mapping()) {
    return {};
  }
  for (const auto& entry : mapping->entries) {
    auto value = evaluate_string(entry.value, context);
    if (!value) {
      return value.error();
    }
    set_env(env, entry.key, std::move(*value));
  }
  return {};
}

expr::Value env_context(const EnvList& env) {
  expr::Value object = expr::Value::object(expr::KeyCase::sensitive);
  for (const auto& [name, value] : env) {
    object.set(name, expr::Value{value});
  }
  return object;
}

expr::Value string_map(const std::vector<std::pair<std::string, std::string>>& entries) {
  expr::Value object = expr::Value::object();
  for (const auto& [name, value] : entries) {
    object.set(name, expr::Value{value});
  }
  return object;
}

expr::Value json_context(const nlohmann::json& json) {
  return expr::Value::from_json(json);
}

}  // namespace pipeline::runner::engine
