#pragma once
// Tar streams for the engine's archive endpoints (`PUT/GET /containers/ID/archive`), via libarchive
// (loaded at the first call).
#include <string>
#include <string_view>

#include "workflow/base/result.hpp"

namespace pipeline::runner::docker {

/// A tar holding one regular file at `name` (relative; parents are implied).
[[nodiscard]] Result<std::string> tar_single_file(const std::string& name, std::string_view content, int mode);
/// A tar of the host directory `dir`, every entry named `prefix/<relative path>` (just the relative path when `prefix` is empty).
[[nodiscard]] Result<std::string> tar_directory(const std::string& dir, const std::string& prefix);
/// The content of the first regular file in a tar.
[[nodiscard]] Result<std::string> first_file_in_tar(std::string_view tar);

}  // namespace pipeline::runner::docker
