#include "runner/job/contexts.hpp"

#include <nlohmann/json.hpp>

#include "workflow/expr/template.hpp"
#include "workflow/template_node.hpp"

namespace pipeline::runner::job {

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

namespace {

// `${{ insert }}: <mapping>` in an env mapping: each entry of the mapping becomes a variable.
Result<void> insert_env(const workflow::NodeEntry& entry, expr::EvalContext& context, EnvList& env) {
  auto inserted = evaluate_node(entry.value, context);
  if (!inserted) {
    return inserted.error();
  }
  if (!inserted->is_object()) {
    return Error{where_prefix(entry.key_where) + "'" + entry.key + "' needs a mapping, not " +
                 std::string(inserted->kind_name())};
  }
  for (const auto& item : inserted->as_object().entries()) {
    set_env(env, item.key, item.value.to_display_string());
  }
  return {};
}

}  // namespace

Result<void> evaluate_env(const std::optional<Node>& mapping, expr::EvalContext& context, EnvList& env) {
  if (!mapping || !mapping->is_mapping()) {
    return {};
  }
  for (const auto& entry : mapping->entries) {
    if (workflow::is_insert_directive(entry.key)) {
      if (auto inserted = insert_env(entry, context, env); !inserted) {
        return inserted;
      }
      continue;
    }
    std::string name = entry.key;
    if (expr::has_expression(name)) {
      auto evaluated = evaluate_text(name, context);
      if (!evaluated) {
        return Error{where_prefix(entry.key_where) + evaluated.error().message};
      }
      name = std::move(*evaluated);
    }
    auto value = evaluate_string(entry.value, context);
    if (!value) {
      return value.error();
    }
    set_env(env, name, std::move(*value));
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

}  // namespace pipeline::runner::job
