#pragma once
// `pipe run`: load → select → plan → schedule → report, one named pass per line.
#include "runner/backend/cancel.hpp"
#include "runner/engine/run_options.hpp"

namespace pipeline::runner::engine {

/// Runs what `options` selects; returns the process exit code (0, 1, 2 or 130).
/// `cancel` is set by the first Ctrl-C, `hard_cancel` by the second.
[[nodiscard]] int run(const RunOptions& options, CancelToken& cancel, CancelToken& hard_cancel);

}  // namespace pipeline::runner::engine
