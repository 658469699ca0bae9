#pragma once
// `pipe runner daemon`: declares the runner, then `capacity` workers poll for tasks, run each
// with pipe's engine and report it. A stop (SIGTERM) ends fetching, lets running tasks finish
// within shutdown_timeout, then cancels them and reports them cancelled.
#include <string>

#include "runner/engine/interruption.hpp"

namespace pipeline::runner::forge {

/// This runner's version as the server sees it.
inline constexpr const char* k_runner_version = "pipe-0.1.0";

/// What `pipe runner daemon` was asked.
struct DaemonOptions {
  std::string config_file;  // --config; empty: the defaults
  bool once = false;        // --once: run the tasks waiting, exit when the queue is empty
};

/// Runs the daemon until `interruption` stops it (or, with --once, the queue is empty); returns
/// 0 after a clean stop, 1 when it cannot start (no registration, server refuses it).
[[nodiscard]] int run_daemon(const DaemonOptions& options, engine::Interruption& interruption);

}  // namespace pipeline::runner::forge
