// The runner's bound on the strings that format, join and toJSON build, and the expression text
// it quotes when that bound is passed.
#include <string>

#include "workflow/expr/eval_internal.hpp"

namespace pipeline::workflow::expr::detail {
namespace {

// .NET strings are UTF-16: a code point past U+FFFF takes two units, every other one.
std::size_t utf16_units(std::string_view text) {
  std::size_t units = 0;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte & 0xC0U) != 0x80U) {
      units += byte >= 0xF0U ? 2 : 1;
    }
  }
  return units;
}

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    out += c == '\'' ? std::string("''") : std::string(1, c);
  }
  return out + "'";
}

std::string literal_text(const Value& value) {
  if (value.is_string()) {
    return quoted(value.as_string());
  }
  return value.is_null() ? std::string("null") : value.to_display_string();
}

std::string_view function_name(Function function) {
  switch (function) {
    case Function::contains: return "contains";
    case Function::starts_with: return "startsWith";
    case Function::ends_with: return "endsWith";
    case Function::format: return "format";
    case Function::join: return "join";
    case Function::to_json: return "toJSON";
    case Function::from_json: return "fromJSON";
    case Function::hash_files: return "hashFiles";
    case Function::success: return "success";
    case Function::failure: return "failure";
    case Function::cancelled: return "cancelled";
    case Function::always: return "always";
    case Function::case_: return "case";
  }
  return "";
}

std::string_view operator_text(NodeKind kind) {
  switch (kind) {
    case NodeKind::and_: return " && ";
    case NodeKind::or_: return " || ";
    case NodeKind::equal: return " == ";
    case NodeKind::not_equal: return " != ";
    case NodeKind::less: return " < ";
    case NodeKind::less_equal: return " <= ";
    case NodeKind::greater: return " > ";
    default: return " >= ";
  }
}

std::string joined(const AstNode& node, std::string_view separator) {
  std::string out;
  for (const auto& child : node.children) {
    out += (out.empty() ? "" : std::string(separator)) + expression_text(*child);
  }
  return out;
}

}  // namespace

void MemoryCounter::add(std::string_view text) {
  m_bytes += k_string_overhead_bytes + 2 * utf16_units(text);
  if (m_bytes > k_max_memory_bytes) {
    throw EvalFailure{"The maximum allowed memory size was exceeded while evaluating the following expression: " +
                      expression_text(m_node)};
  }
}

std::string expression_text(const AstNode& node) {
  switch (node.kind) {
    case NodeKind::literal: return literal_text(node.literal);
    case NodeKind::named_value: return node.name;
    case NodeKind::property: return expression_text(*node.children[0]) + "." + node.name;
    case NodeKind::index:
      return expression_text(*node.children[0]) + "[" + expression_text(*node.children[1]) + "]";
    case NodeKind::wildcard: return expression_text(*node.children[0]) + ".*";
    case NodeKind::call: return std::string(function_name(node.function)) + "(" + joined(node, ", ") + ")";
    case NodeKind::not_: return "!" + expression_text(*node.children[0]);
    default: return "(" + joined(node, operator_text(node.kind)) + ")";
  }
}

}  // namespace pipeline::workflow::expr::detail
