#include "workflow/expr/evaluator.hpp"

#include <cmath>

#include "workflow/expr/eval_internal.hpp"

namespace pipeline::workflow::expr {

Result<std::string> EvalContext::hash_files(const std::vector<std::string>& patterns) {
  (void)patterns;
  return Error{"hashFiles is not available here"};
}

void MapContext::set(std::string_view name, Value value) {
  std::string lower(name);
  for (char& c : lower) {
    c = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
  }
  for (auto& [key, existing] : m_contexts) {
    if (key == lower) {
      existing = std::move(value);
      return;
    }
  }
  m_contexts.emplace_back(std::move(lower), std::move(value));
}

const Value* MapContext::lookup(std::string_view name) {
  for (const auto& [key, value] : m_contexts) {
    if (key == name) {
      return &value;
    }
  }
  return nullptr;
}

Result<std::string> MapContext::hash_files(const std::vector<std::string>& patterns) {
  if (!m_hash_files) {
    return EvalContext::hash_files(patterns);
  }
  return m_hash_files(patterns);
}

namespace detail {
namespace {

// Member `node` of `base`; a result found inside an owned value is copied out (arrays and
// objects are shared, so this is cheap) because the owner dies with `base`.
Ref member_of(Ref&& base, const Value* found) {
  if (found == nullptr) {
    return Ref{};
  }
  return base.ptr != nullptr ? Ref::borrow(*found) : Ref::own(*found);
}

const Value* property_of(const Value& v, const AstNode& node) {
  return v.is_object() ? v.as_object().find_folded(node.name, node.folded) : nullptr;
}

const Value* index_of(const Value& v, const Value& index) {
  if (v.is_array()) {
    if (!index.is_primitive()) {
      return nullptr;
    }
    const double n = std::floor(index.to_number());
    const auto& items = v.as_array();
    if (std::isnan(n) || n < 0 || n >= static_cast<double>(items.size())) {
      return nullptr;
    }
    return &items[static_cast<std::size_t>(n)];
  }
  if (v.is_object() && index.is_primitive()) {
    return v.as_object().find(index.to_display_string());
  }
  return nullptr;
}

// Applies `access` to every element of a filtered array, dropping misses.
template <class Access>
Ref per_element(const Ref& base, Access access) {
  Array out;
  for (const auto& item : base.get().as_array()) {
    if (const Value* found = access(item)) {
      out.push_back(*found);
    }
  }
  return Ref{nullptr, Value::array(std::move(out)), true};
}

void append_members(const Value& v, Array& out) {
  if (v.is_array()) {
    out.insert(out.end(), v.as_array().begin(), v.as_array().end());
  } else if (v.is_object()) {
    for (const auto& entry : v.as_object().entries()) {
      out.push_back(entry.value);
    }
  }
}

Ref eval_wildcard(Ref base) {
  Array out;
  if (base.filtered) {
    for (const auto& item : base.get().as_array()) {
      append_members(item, out);
    }
  } else {
    append_members(base.get(), out);
  }
  return Ref{nullptr, Value::array(std::move(out)), true};
}

Ref eval_property(const AstNode& node, EvalContext& context) {
  Ref base = eval_node(*node.children[0], context);
  if (base.filtered) {
    return per_element(base, [&](const Value& item) { return property_of(item, node); });
  }
  const Value* found = property_of(base.get(), node);
  return member_of(std::move(base), found);
}

Ref eval_index(const AstNode& node, EvalContext& context) {
  Ref base = eval_node(*node.children[0], context);
  const Ref index = eval_node(*node.children[1], context);
  if (base.filtered) {
    return per_element(base, [&](const Value& item) { return index_of(item, index.get()); });
  }
  const Value* found = index_of(base.get(), index.get());
  return member_of(std::move(base), found);
}

enum class StopAt { falsy, truthy };

// `&&` returns the first falsy operand (or the last); `||` the first truthy one (or the last).
Ref eval_logical(const AstNode& node, EvalContext& context, StopAt stop) {
  Ref last;
  for (const auto& child : node.children) {
    last = eval_node(*child, context);
    if (last.get().is_truthy() == (stop == StopAt::truthy)) {
      break;
    }
  }
  return last;  // a `*` result stays a filter through `||`/`&&` and parentheses, as on GitHub
}

bool compare(NodeKind kind, const Value& a, const Value& b) {
  switch (kind) {
    case NodeKind::equal: return values_equal(a, b);
    case NodeKind::not_equal: return !values_equal(a, b);
    case NodeKind::less: return values_less(a, b);
    case NodeKind::less_equal: return values_less(a, b) || values_equal(a, b);
    case NodeKind::greater: return values_greater(a, b);
    default: return values_greater(a, b) || values_equal(a, b);
  }
}

// Booleans live in static storage so comparisons never build a value.
const Value k_true{true};
const Value k_false{false};

}  // namespace

Ref boolean(bool b) { return Ref::borrow(b ? k_true : k_false); }

Ref eval_node(const AstNode& node, EvalContext& context) {
  switch (node.kind) {
    case NodeKind::literal: return Ref::borrow(node.literal);
    case NodeKind::named_value: {
      const Value* v = context.lookup(node.name);
      return v != nullptr ? Ref::borrow(*v) : Ref{};
    }
    case NodeKind::property: return eval_property(node, context);
    case NodeKind::index: return eval_index(node, context);
    case NodeKind::wildcard: return eval_wildcard(eval_node(*node.children[0], context));
    case NodeKind::call: return call_function(node, context);
    case NodeKind::not_: return boolean(!eval_node(*node.children[0], context).get().is_truthy());
    case NodeKind::and_: return eval_logical(node, context, StopAt::falsy);
    case NodeKind::or_: return eval_logical(node, context, StopAt::truthy);
    default: break;
  }
  const Ref left = eval_node(*node.children[0], context);
  const Ref right = eval_node(*node.children[1], context);
  return boolean(compare(node.kind, left.get(), right.get()));
}

}  // namespace detail

Result<Value> evaluate(const Ast& ast, EvalContext& context) {
  if (!ast.root) {
    return Value();
  }
  try {
    detail::Ref result = detail::eval_node(*ast.root, context);
    return result.ptr != nullptr ? *result.ptr : std::move(result.owned);
  } catch (const detail::EvalFailure& failure) {
    return Error{failure.message};
  }
}

}  // namespace pipeline::workflow::expr
