#pragma once
// hashFiles(): the digest of the files under a root that match glob patterns.
#include <filesystem>
#include <string>
#include <vector>

#include "workflow/result.hpp"

namespace pipeline::workflow::expr {

/// Hex sha256 over the sha256 of each regular file under `root` matching `patterns` (`*`, `**`,
/// `?`; a leading `!` excludes), in sorted path order; '' when nothing matches.
[[nodiscard]] Result<std::string> hash_files(const std::filesystem::path& root, const std::vector<std::string>& patterns);

/// Whether `path` (relative, `/`-separated) matches the glob `pattern`.
[[nodiscard]] bool glob_match(std::string_view pattern, std::string_view path);

}  // namespace pipeline::workflow::expr
