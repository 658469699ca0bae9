#pragma once
// Why an `if:` came out as it did: the context values its operands read, for `--explain`.
#include <string>
#include <string_view>
#include <vector>

#include "workflow/expr/evaluator.hpp"

namespace pipeline::workflow::expr {

/// One context reference in an expression and the value it had.
struct Operand {
  std::string text;   // as GitHub would write it, e.g. `github.ref`, `matrix['os']`
  std::string value;  // compact JSON-like display: 'main', 3, true, null, {…}; *** for secrets
};

/// The context references of the condition `if_text` (each longest access chain such as
/// `needs.build.outputs.tag`, once, in source order) with their values in `context`.
/// Unparsable conditions give none.
[[nodiscard]] std::vector<Operand> explain_operands(std::string_view if_text, EvalContext& context);

/// "github.ref = 'refs/heads/x', matrix.os = 'linux'" (empty when there are none).
[[nodiscard]] std::string format_operands(const std::vector<Operand>& operands);

}  // namespace pipeline::workflow::expr
