#pragma once
// Copying an artifact out of the store for `pipe artifacts get`: a zip is extracted (libarchive,
// loaded at first use), a raw file copied under its name.
#include <string>

#include "runner/services/artifact_store.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::services {

/// Extracts (or copies) the artifact whose content is at `content` into `directory`, created when
/// missing. Entries with absolute paths or `..` are refused: nothing is written outside `directory`.
/// Returns the number of files written.
[[nodiscard]] Result<std::size_t> extract_artifact(const ArtifactInfo& info, const std::string& content,
                                                   const std::string& directory);

}  // namespace pipeline::runner::services
