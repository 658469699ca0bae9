#pragma once
// How a pipe process ends: one set of exit statuses for every command, listed in docs/manual.md.

namespace pipeline {

/// A process exit code; unscoped so that it is the `int` a command returns.
enum ExitCode : int {
  k_exit_success = 0,
  k_exit_job_failed = 1,
  k_exit_usage = 2,
  k_exit_signal_base = 128,  // above it: 128 + the signal that interrupted (129 hangup, 141 closed output, 143 SIGTERM)
  k_exit_interrupted = 130,
};

}  // namespace pipeline
