#pragma once
// Reads workflow files and action manifests into the model (workflow/model.hpp). Structural
// problems (unknown keys, wrong value types) are reported here, every one of them; semantic
// checks live in validate.hpp.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/diagnostic.hpp"
#include "workflow/model.hpp"

namespace pipeline::workflow {

/// A parsed workflow (absent when the file is not a usable YAML mapping) and its problems.
struct LoadResult {
  std::optional<Workflow> workflow;
  std::vector<Diagnostic> diagnostics;
};

/// A parsed action manifest (absent when unusable) and its problems.
struct ActionLoadResult {
  std::optional<ActionManifest> manifest;
  std::vector<Diagnostic> diagnostics;
};

/// Parses workflow text; `path` is only used in locations and `Workflow::path`.
[[nodiscard]] LoadResult load_workflow_text(std::string_view text, std::string path);

/// Reads and parses one workflow file.
[[nodiscard]] LoadResult load_workflow_file(const std::filesystem::path& file);

/// Parses the text of an `action.yml`.
[[nodiscard]] ActionLoadResult load_action_manifest_text(std::string_view text, std::string path);

/// Reads and parses an `action.yml`/`action.yaml` file, or the one inside a directory.
[[nodiscard]] ActionLoadResult load_action_manifest_file(const std::filesystem::path& file_or_dir);

/// The `*.yml` and `*.yaml` files directly in `dir`, sorted by name.
[[nodiscard]] std::vector<std::filesystem::path> find_workflow_files(const std::filesystem::path& dir);

/// Every workflow of a set of paths, loaded and validated, with all diagnostics.
struct LoadedSet {
  std::vector<Workflow> workflows;  // only those without errors
  std::vector<Diagnostic> diagnostics;
  std::map<std::string, std::string> sources;  // file → text, for printing diagnostics
  std::size_t files = 0;                       // how many files were read
};

/// Loads and validates the workflows named by `paths` (files, or directories searched with
/// find_workflow_files). A path that does not exist is a diagnostic, not an exception.
/// Paths are shown relative to `base` when they lie under it.
[[nodiscard]] LoadedSet load_all(const std::vector<std::filesystem::path>& paths,
                                 const std::filesystem::path& base = {});

/// Every diagnostic of `set` formatted with its source excerpt, in file order.
[[nodiscard]] std::string format_diagnostics(const LoadedSet& set);

/// The one-line summary `pipe validate` prints, e.g. "3 errors in 2 files (5 files checked)".
[[nodiscard]] std::string summary_line(const LoadedSet& set);

}  // namespace pipeline::workflow
