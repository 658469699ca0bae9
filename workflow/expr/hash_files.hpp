#pragma once
// hashFiles(): the digest of the workspace files that match glob patterns, as GitHub's runner
// computes it (its hashFiles script over @actions/glob, on Linux).
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/base/result.hpp"

namespace pipeline::workflow::expr {

/// Hex sha256 over the sha256 of each matching file under the workspace `root`; '' when nothing
/// matches. `args` are hashFiles' arguments: patterns, after an optional first
/// `--follow-symbolic-links`. Each may hold several newline-separated patterns (trimmed; `#`
/// starts a comment). Pattern rules: `*`, `?`, `[a-z]`/`[!a]` within a name, `**` for any depth,
/// `\` escapes, a leading `!` excludes, a trailing `/` matches directories only, and a pattern
/// matching a directory matches everything under it. A relative pattern (or one starting `./`)
/// is under the workspace; an absolute one may name the workspace as `visible_workspace` (the
/// path steps see, e.g. `/github/workspace`; empty means `root`). Files outside the workspace are
/// ignored; `.`/`..` segments are errors. Files are visited the way the runner walks: search
/// roots in pattern order, then depth first with each directory's entries in byte order.
/// Without `--follow-symbolic-links`, a link to a file is hashed (its target's content) but a
/// link to a directory is not entered; with it, linked directories are entered (cycles skipped)
/// and broken links ignored.
[[nodiscard]] Result<std::string> hash_files(const std::filesystem::path& root, const std::vector<std::string>& args,
                                             const std::string& visible_workspace = {});

/// Whether one path name matches one glob segment (`*`, `?`, `[...]`, `\` escapes; no `/`).
[[nodiscard]] bool glob_segment_match(std::string_view glob, std::string_view name);

/// Whether `path` (relative, `/`-separated) matches the glob `pattern`, `**` spanning directories.
[[nodiscard]] bool glob_match(std::string_view pattern, std::string_view path);

}  // namespace pipeline::workflow::expr
