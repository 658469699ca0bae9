#pragma once
// Shared by the evaluator and the functions (internal).
#include <cstddef>
#include <string>
#include <string_view>
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

/// The most a function may build while evaluating one expression: the runner's default
/// `MaxMemory` (1 MiB), counted as .NET strings take memory.
inline constexpr std::size_t k_max_memory_bytes = 1048576;

/// What the runner counts for each string besides its UTF-16 units (2 bytes each).
inline constexpr std::size_t k_string_overhead_bytes = 26;

/// Counts the strings one call of format, join or toJSON builds, as the runner's MemoryCounter
/// does, and fails the evaluation once they pass k_max_memory_bytes.
class MemoryCounter {
public:
  explicit MemoryCounter(const AstNode& node) : m_node(node) {}

  /// Counts `text`; throws EvalFailure with GitHub's message when the bound is passed.
  void add(std::string_view text);

private:
  const AstNode& m_node;
  std::size_t m_bytes = 0;
};

/// `node` written back as an expression (as the runner quotes it in errors).
[[nodiscard]] std::string expression_text(const AstNode& node);

/// A borrowed `true` or `false`.
[[nodiscard]] Ref boolean(bool b);

/// Evaluates one node.
[[nodiscard]] Ref eval_node(const AstNode& node, EvalContext& context);

/// Calls a built-in function node.
[[nodiscard]] Ref call_function(const AstNode& node, EvalContext& context);

}  // namespace pipeline::workflow::expr::detail
