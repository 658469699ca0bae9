#pragma once
// Which workflows a run would start for a set of changed files, known before the run: watch mode
// starts (or cancels) nothing for a change no trigger takes.
#include <optional>
#include <string>
#include <vector>

#include "runner/job/run_options.hpp"

namespace pipeline::runner::watch {

/// The changed files a run is given; nullopt: the tree's own changes, as a plain `pipe run` sees.
using ChangedFiles = std::optional<std::vector<std::string>>;

/// The workflow files (relative to the repository) that `options` would run if `changed` were
/// the changed files, by the same trigger matching as the run; a file that does not load counts
/// when it is among the changed files, so its errors are shown.
[[nodiscard]] std::vector<std::string> preview_workflows(const job::RunOptions& options, const ChangedFiles& changed);

}  // namespace pipeline::runner::watch
