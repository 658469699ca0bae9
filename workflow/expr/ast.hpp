#pragma once
// The parsed form of an expression: immutable nodes shared by pointer, cheap to copy.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "workflow/expr/value.hpp"

namespace pipeline::workflow::expr {

/// Built-in functions (names are case-insensitive in expressions).
enum class Function : std::uint8_t {
  contains, starts_with, ends_with, format, join, to_json, from_json, hash_files,
  success, failure, cancelled, always, case_
};

/// What an AST node computes.
enum class NodeKind : std::uint8_t {
  literal, named_value, property, index, wildcard, call,
  not_, and_, or_, equal, not_equal, less, less_equal, greater, greater_equal
};

/// One node; children are operands, call arguments, or [object] / [object, index] for access.
struct AstNode {
  NodeKind kind = NodeKind::literal;
  Function function = Function::contains;     // call
  Value literal;                               // literal
  std::string name;                            // named value (lower-case) or property (as written)
  std::string folded;                          // property name folded for case-insensitive lookup
  std::vector<std::shared_ptr<const AstNode>> children;
  std::uint32_t offset = 0;                    // byte offset of the node's token in the expression
};

/// A parsed expression.
struct Ast {
  std::shared_ptr<const AstNode> root;
  std::string text;  // the expression as parsed
  bool calls_status_function = false;  // success() failure() cancelled() always() anywhere
};

}  // namespace pipeline::workflow::expr
