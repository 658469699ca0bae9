#pragma once
// `pipe run`: load → select → plan → schedule → report, one named pass per line.
#include "runner/engine/interruption.hpp"
#include "runner/job/run_options.hpp"

namespace pipeline::runner::engine {

/// Runs what `options` selects; returns the process exit code (0, 1, 2, or 128 + the signal that
/// interrupted it). A closed standard output interrupts the run too.
[[nodiscard]] int run(const RunOptions& options, Interruption& interruption);

}  // namespace pipeline::runner::engine
