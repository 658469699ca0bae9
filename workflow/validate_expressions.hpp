#pragma once
// Checks every `${{ }}` and `if:` of a workflow: syntax, and which contexts each key may use.
#include <vector>

#include "workflow/diagnostic.hpp"
#include "workflow/model.hpp"

namespace pipeline::workflow {

/// Diagnostics for every invalid expression in `wf`, located at the expression itself.
[[nodiscard]] std::vector<Diagnostic> validate_expressions(const Workflow& wf);

}  // namespace pipeline::workflow
