#include "workflow/validate_expressions.hpp"

namespace pipeline::workflow {

std::vector<Diagnostic> validate_expressions(const Workflow& wf) {
  (void)wf;  // filled in by the expression work
  return {};
}

}  // namespace pipeline::workflow
