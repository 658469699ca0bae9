#pragma once
// Shared by the evaluator and the functions (internal).
#include <string>
#include <vector>

#include "workflow/expr/evaluator.hpp"

namespace pipeline::workflow::expr::detail {

/// A result that borrows from the contexts or the AST when it can, and owns a value otherwise.
/// `filtered` marks the array built by a `*` filter, to which later `.x`/`[i]` apply per element.
struct Ref {
  const Value* ptr = nullptr;
  Value owned;
  bool filtered = false;

  [[nodiscard]] const Value& get() const { return ptr != nullptr ? *ptr : owned; }
  [[nodiscard]] static Ref borrow(const Value& v) { return Ref{&v, {}, false}; }
  [[nodiscard]] static Ref own(Value v) { return Ref{nullptr, std::move(v), false}; }
};

/// Raised for runtime errors; evaluate() turns it into an Error.
struct EvalFailure {
  std::string message;
};

/// A borrowed `true` or `false`.
[[nodiscard]] Ref boolean(bool b);

/// Evaluates one node.
[[nodiscard]] Ref eval_node(const AstNode& node, EvalContext& context);

/// Calls a built-in function node.
[[nodiscard]] Ref call_function(const AstNode& node, EvalContext& context);

}  // namespace pipeline::workflow::expr::detail
