#include "workflow/template_node.hpp"

#include <string>

#include "workflow/expr/template.hpp"

namespace pipeline::workflow {
namespace {

std::string location_prefix(const SourceLocation& where) {
  if (where.file.empty()) {
    return {};
  }
  return where.file + ':' + std::to_string(where.line) + ':' + std::to_string(where.column) + ": ";
}

Result<expr::Value> evaluate_scalar(const Node& node, expr::EvalContext& context) {
  if (!expr::has_expression(node.scalar)) {
    return expr::Value{node.scalar};
  }
  auto value = expr::evaluate_template(node.scalar, context);
  if (!value) {
    return Error{location_prefix(node.where) + value.error().message};
  }
  return value;
}

// Adds an evaluated or inserted `key: value` to `object`; a key that is already there is an
// error, as it would be in the YAML mapping itself.
Result<void> add_entry(expr::Value& object, std::string key, expr::Value value, const SourceLocation& where) {
  if (object.find(key) != nullptr) {
    return Error{location_prefix(where) + "The key '" + key + "' is already defined"};
  }
  object.set(std::move(key), std::move(value));
  return {};
}

Result<void> insert_entries(expr::Value& object, const NodeEntry& entry, expr::EvalContext& context) {
  auto inserted = evaluate_template_node(entry.value, context);
  if (!inserted) {
    return inserted.error();
  }
  if (!inserted->is_object()) {
    return Error{location_prefix(entry.key_where) + "'" + entry.key + "' needs a mapping, not " +
                 std::string(inserted->kind_name())};
  }
  for (const auto& item : inserted->as_object().entries()) {
    if (auto added = add_entry(object, item.key, item.value, entry.key_where); !added) {
      return added;
    }
  }
  return {};
}

Result<expr::Value> evaluate_mapping(const Node& node, expr::EvalContext& context) {
  expr::Value object = expr::Value::object();
  for (const auto& entry : node.entries) {
    if (is_insert_directive(entry.key)) {
      if (auto inserted = insert_entries(object, entry, context); !inserted) {
        return inserted.error();
      }
      continue;
    }
    auto value = evaluate_template_node(entry.value, context);
    if (!value) {
      return value.error();
    }
    if (!expr::has_expression(entry.key)) {
      object.set(entry.key, std::move(*value));
      continue;
    }
    auto key = expr::evaluate_template(entry.key, context);
    if (!key) {
      return Error{location_prefix(entry.key_where) + key.error().message};
    }
    if (auto added = add_entry(object, key->to_display_string(), std::move(*value), entry.key_where); !added) {
      return added.error();
    }
  }
  return object;
}

}  // namespace

bool is_insert_directive(std::string_view key) {
  auto segments = expr::split_template(key);
  return segments && segments->size() == 1 && segments->front().kind == expr::Segment::Kind::expression &&
         segments->front().start == 0 && segments->front().text == "insert" && key.substr(key.size() - 2) == "}}";
}

Result<expr::Value> evaluate_template_node(const Node& node, expr::EvalContext& context) {
  switch (node.kind) {
    case Node::Kind::null:
      return expr::Value{};
    case Node::Kind::boolean:
      return expr::Value{node.scalar == "true"};
    case Node::Kind::number:
      return expr::Value{expr::parse_number(node.scalar)};
    case Node::Kind::string:
      return evaluate_scalar(node, context);
    case Node::Kind::sequence: {
      expr::Value array = expr::Value::array();
      for (const auto& item : node.items) {
        auto value = evaluate_template_node(item, context);
        if (!value) {
          return value.error();
        }
        array.push_back(std::move(*value));
      }
      return array;
    }
    case Node::Kind::mapping:
      return evaluate_mapping(node, context);
  }
  return expr::Value{};
}

}  // namespace pipeline::workflow
