#pragma once
// The loop of `pipe run --watch`: run, wait for changes, cancel a run that newer changes make
// stale, run again; until `q` or an interruption (Ctrl-C, SIGTERM, a hangup, a closed output).
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "runner/engine/interruption.hpp"
#include "runner/watch/debouncer.hpp"
#include "runner/watch/file_events.hpp"
#include "runner/watch/terminal_keys.hpp"
#include "runner/watch/trigger_preview.hpp"

namespace pipeline::runner::watch {

/// Runs once with these changed files and this run's own interruption; returns its exit code.
using RunOnce = std::function<int(const ChangedFiles& changed, engine::Interruption& interruption)>;
/// The workflows a run with these changed files would start, as shown to the user; empty: none.
using Preview = std::function<std::vector<std::string>(const ChangedFiles& changed)>;
/// The changed paths that count (the others are ignored), as the repository names them.
using KeepPaths = std::function<std::vector<std::string>(const std::vector<std::string>& paths)>;

/// Everything the loop touches, so tests drive it with fakes.
struct WatchSeams {
  FileEvents& events;
  KeyInput* keys = nullptr;  // null: no keys (standard input is no terminal)
  KeepPaths keep;
  Preview preview;
  RunOnce run;
  std::ostream& out;  // watch mode's own lines
  Debouncer debouncer;
};

/// Runs at once with the tree's own changes, then after each batch of changes a workflow's
/// trigger takes; a batch arriving during a run cancels it (as Ctrl-C would) and the next run
/// gets both batches' files. `session` is the interruption signals set: it ends watching, and
/// cancels the run in progress first. Returns `session`'s exit code when interrupted, else (`q`)
/// the exit code of the last run that finished uncancelled, 0 when none did.
[[nodiscard]] int watch_loop(WatchSeams& seams, engine::Interruption& session);

/// The one line printed before a run: which files changed and which workflows run.
[[nodiscard]] std::string header_line(const ChangedFiles& changed, const std::vector<std::string>& workflows);

}  // namespace pipeline::runner::watch
