#pragma once
// Semantic checks on a loaded workflow; structural checks (keys, types) happen in the loader.
#include <vector>

#include "workflow/diagnostic.hpp"
#include "workflow/model.hpp"

namespace pipeline::workflow {

/// Every problem in `wf` (not just the first), including those of validate_expressions().
[[nodiscard]] std::vector<Diagnostic> validate(const Workflow& wf);

/// Every GitHub event name a workflow may use under `on:`, sorted.
[[nodiscard]] const std::vector<std::string>& known_events();

/// True for `^[A-Za-z_][A-Za-z0-9_-]*$`, the form of job and step ids.
[[nodiscard]] bool is_valid_id(std::string_view id);

/// True for a built-in shell name or a command template containing `{0}`.
[[nodiscard]] bool is_valid_shell(std::string_view shell);

}  // namespace pipeline::workflow
