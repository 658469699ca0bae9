#pragma once
// The runner's `container.valid_volumes`: which volumes a task's workflow may mount in its job
// and service containers (`container.volumes`, `services.*.volumes`, and `-v`/`--volume`/`--mount`
// in their `options`). Patterns are globs (`*` within a path segment, `**` across segments); an
// empty list allows none; anonymous volumes (a container path alone) are always allowed. A
// volume that is not allowed refuses the job before anything runs.
#include <string>
#include <vector>

#include "workflow/base/result.hpp"

namespace pipeline::runner::forge {

/// The source of a volume spec (`SRC:DST[:MODE]`, `type=bind,source=SRC,...`); "" for an anonymous one.
[[nodiscard]] std::string volume_source(const std::string& spec);

/// Whether `valid` (the runner's valid_volumes) allows mounting `source`.
[[nodiscard]] bool volume_allowed(const std::vector<std::string>& valid, const std::string& source);

/// An error naming the first volume of the task's single job (in `workflow_yaml`) that `valid`
/// does not allow.
[[nodiscard]] Result<void> check_task_volumes(const std::string& workflow_yaml, const std::vector<std::string>& valid);

}  // namespace pipeline::runner::forge
