#pragma once
// Scratch directories named after the pipe process that owns them (`<prefix><pid>-<rest>`), so a
// later pipe can tell the leftovers of a killed run from the directories of a live one.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace pipeline::runner {

/// How the host directories of a run's jobs are named: `pipe-run-<pid>-<run id>`.
inline constexpr std::string_view k_run_dir_prefix = "pipe-run-";

/// Where run directories go on the host: $TMPDIR when set, else /tmp.
[[nodiscard]] std::string default_temp_root();

/// `<prefix><this process's pid>-`: the start of a directory name this process owns.
[[nodiscard]] std::string owned_prefix(std::string_view prefix);

/// Whether leftovers of live owners are removed too (`pipe clean --all`).
enum class LiveOwners { keep, remove };

/// Removes the directories under `root` named `<prefix><pid>-...` whose process has ended (or
/// every one, with LiveOwners::remove); returns how many were removed. Names that do not carry
/// a pid are left alone.
std::size_t remove_orphaned_dirs(const std::filesystem::path& root, std::string_view prefix, LiveOwners live);

}  // namespace pipeline::runner
