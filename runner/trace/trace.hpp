#pragma once
// pipe's diagnostic trace of its own work (`--log-level`, `PIPE_LOG`, `--log-file`): Engine API
// calls, Vault requests, action resolution, scheduler decisions. Off by default; when off, a
// trace call costs one atomic load and builds no text.
//
// Lines carry names, paths, statuses and durations only — never request bodies, headers, tokens,
// environment values or step output — so no secret can reach the trace (nothing to mask).
#include <string>
#include <string_view>
#include <utility>

#include "workflow/base/result.hpp"

namespace pipeline::runner::trace {

/// How much is written, from everything (`trace`) to nothing (`off`).
enum class Level { trace, debug, info, warn, error, off };

/// "off" | "error" | "warn" | "info" | "debug" | "trace".
[[nodiscard]] Result<Level> parse_level(std::string_view text);

/// Starts the trace at `level`, appending to `file` (stderr when empty). Fails when the file
/// cannot be opened; `off` opens nothing.
[[nodiscard]] Result<void> start(Level level, const std::string& file);

/// Whether lines at `level` are written.
[[nodiscard]] bool enabled(Level level);

/// Writes one line at `level` (callers check enabled() first, or use debug()/verbose()).
void write(Level level, std::string_view line);

/// Writes the line `make_line()` returns at debug level; `make_line` runs only when it is written.
template <typename MakeLine>
void debug(MakeLine&& make_line) {
  if (enabled(Level::debug)) {
    write(Level::debug, std::forward<MakeLine>(make_line)());
  }
}

/// Like debug(), at trace level: the finer, more frequent events.
template <typename MakeLine>
void verbose(MakeLine&& make_line) {
  if (enabled(Level::trace)) {
    write(Level::trace, std::forward<MakeLine>(make_line)());
  }
}

}  // namespace pipeline::runner::trace
