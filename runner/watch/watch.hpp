#pragma once
// `pipe run --watch`: the real seams (inotify, the terminal, the engine) around the watch loop.
#include "runner/engine/interruption.hpp"
#include "runner/job/run_options.hpp"

namespace pipeline::runner::watch {

/// Runs `options` now, then again whenever files of its repository change in a way a workflow's
/// trigger takes, until `q` on the terminal or `session` is interrupted; the exit code.
[[nodiscard]] int run_watching(const job::RunOptions& options, engine::Interruption& session);

}  // namespace pipeline::runner::watch
