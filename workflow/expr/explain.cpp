#include "workflow/expr/explain.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "workflow/expr/template.hpp"
#include "workflow/base/json_text.hpp"

namespace pipeline::workflow::expr {
namespace {

constexpr std::size_t k_max_value_chars = 60;

bool is_access(NodeKind kind) {
  return kind == NodeKind::named_value || kind == NodeKind::property || kind == NodeKind::index ||
         kind == NodeKind::wildcard;
}

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c == '\'' ? std::string("''") : std::string(1, c);
  }
  return out + "'";
}

/// The source form of an access chain; false when it indexes with something other than a literal.
bool access_text(const AstNode& node, std::string& out) {
  switch (node.kind) {
    case NodeKind::named_value:
      out = node.name;
      return true;
    case NodeKind::property:
      if (!access_text(*node.children[0], out)) {
        return false;
      }
      out += "." + node.name;
      return true;
    case NodeKind::wildcard:
      if (!access_text(*node.children[0], out)) {
        return false;
      }
      out += ".*";
      return true;
    case NodeKind::index: {
      const AstNode& index = *node.children[1];
      if (index.kind != NodeKind::literal || !access_text(*node.children[0], out)) {
        return false;
      }
      out += "[" + (index.literal.is_string() ? quoted(index.literal.as_string()) : index.literal.to_display_string()) + "]";
      return true;
    }
    default:
      return false;
  }
}

bool reads_secrets(const AstNode& node) {
  const AstNode* at = &node;
  while (!at->children.empty()) {
    at = at->children[0].get();
  }
  return at->kind == NodeKind::named_value && at->name == "secrets";
}

std::string display(const Value& value) {
  std::string text = value.is_null()      ? std::string("null")
                     : value.is_string()  ? quoted(value.as_string())
                     : value.is_primitive() ? value.to_display_string()
                                            : json_text(value.to_json());
  if (text.size() > k_max_value_chars) {
    text = text.substr(0, k_max_value_chars) + "…";
  }
  return text;
}

void collect(const std::shared_ptr<const AstNode>& node, std::vector<std::shared_ptr<const AstNode>>& chains) {
  if (is_access(node->kind)) {
    chains.push_back(node);
    return;  // the longest chain only: `github.event.ref`, not also `github.event`
  }
  for (const auto& child : node->children) {
    collect(child, chains);
  }
}

}  // namespace

std::vector<Operand> explain_operands(std::string_view if_text, EvalContext& context) {
  const auto source = condition_source(if_text);
  std::vector<std::string_view> expressions{source.expression};
  if (source.is_template) {
    expressions.clear();
    auto segments = split_template(source.expression);
    for (const auto& segment : segments ? *segments : std::vector<Segment>{}) {
      if (segment.kind == Segment::Kind::expression) {
        expressions.push_back(segment.text);
      }
    }
  }
  std::vector<std::shared_ptr<const AstNode>> chains;
  for (auto expression : expressions) {
    if (auto ast = parse_cached(expression); ast && ast->root != nullptr) {
      collect(ast->root, chains);
    }
  }
  std::vector<Operand> out;
  for (const auto& chain : chains) {
    Operand operand;
    if (!access_text(*chain, operand.text) ||
        std::any_of(out.begin(), out.end(), [&](const Operand& o) { return o.text == operand.text; })) {
      continue;
    }
    if (reads_secrets(*chain)) {
      operand.value = "***";
    } else {
      auto value = evaluate(Ast{chain, operand.text, false}, context);
      operand.value = value ? display(*value) : "error: " + value.error().message;
    }
    out.push_back(std::move(operand));
  }
  return out;
}

std::string format_operands(const std::vector<Operand>& operands) {
  std::string out;
  for (const auto& operand : operands) {
    out += (out.empty() ? "" : ", ") + operand.text + " = " + operand.value;
  }
  return out;
}

}  // namespace pipeline::workflow::expr
