#pragma once
// Strings with `${{ }}` inside them (templates), and `if:` conditions.
#include <string>
#include <string_view>
#include <vector>

#include "workflow/expr/evaluator.hpp"
#include "workflow/expr/parser.hpp"

namespace pipeline::workflow::expr {

/// One piece of a template: literal text, or the expression inside one `${{ }}`.
struct Segment {
  enum class Kind { literal, expression };
  Kind kind = Kind::literal;
  std::string_view text;     // literal text, or the trimmed expression
  std::size_t offset = 0;    // byte offset of `text` in the template
  std::size_t start = 0;     // byte offset of the segment (the `$` of `${{` for expressions)
};

/// Splits `text` into literal and expression segments (`}}` inside quotes does not close).
/// Errors: an unclosed `${{`, or an empty `${{ }}`.
[[nodiscard]] Result<std::vector<Segment>> split_template(std::string_view text);

/// True when `text` contains `${{`.
[[nodiscard]] bool has_expression(std::string_view text);

/// parse() through a process-wide, thread-safe cache keyed by text and options.
[[nodiscard]] Result<Ast> parse_cached(std::string_view expression, const ParseOptions& options = {});

/// Evaluates a template: exactly one `${{ e }}` keeps e's type; mixed text becomes a string;
/// text without expressions is returned as a string.
[[nodiscard]] Result<Value> evaluate_template(std::string_view text, EvalContext& context,
                                              const ParseOptions& options = {});

/// The expression an `if:` value stands for (`${{ }}` around it is optional), with its offset.
struct ConditionSource {
  std::string_view expression;
  std::size_t offset = 0;
  bool is_template = false;  // text mixed with `${{ }}`: evaluates to a (truthy) string
};
[[nodiscard]] ConditionSource condition_source(std::string_view if_text);

/// Evaluates an `if:`: empty means success(); without a status function the condition is
/// `success() && (cond)`; the result is the truthiness of the value.
[[nodiscard]] Result<bool> evaluate_condition(std::string_view if_text, EvalContext& context,
                                              const ParseOptions& options = {});

}  // namespace pipeline::workflow::expr
