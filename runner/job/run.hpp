#pragma once
// `pipe run`: load → select → plan → schedule → report, one named pass per line.
#include "runner/backend/backend.hpp"
#include "runner/backend/container_actions.hpp"
#include "runner/engine/interruption.hpp"
#include "runner/job/run_options.hpp"

namespace pipeline::runner::job {

/// Backends a caller supplies in place of the host and container ones (tests drive the engine through a fake).
struct RunBackends {
  Backend* jobs = nullptr;                        // every job runs here; null: as the options choose
  ContainerActions* container_actions = nullptr;  // Docker actions' engine when `jobs` is set
};

/// Runs what `options` selects; returns the process exit code (0, 1, 2, or 128 + the signal that
/// interrupted it). A closed standard output interrupts the run too.
[[nodiscard]] int run(const RunOptions& options, engine::Interruption& interruption, const RunBackends& backends = {});

}  // namespace pipeline::runner::job
