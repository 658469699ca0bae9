#pragma once
// What a git hook checks: the staged index or the commits being pushed, exported into a
// directory of its own and listed as changed paths, without touching the user's tree.
#include <cstdint>
#include <filesystem>
#include <istream>
#include <string>
#include <vector>

#include "workflow/base/result.hpp"

namespace pipeline::runner::hook {

/// One line of a pre-push hook's stdin: `<local ref> <local sha> <remote ref> <remote sha>`.
struct PushedRef {
  std::string local_ref;
  std::string local_sha;
  std::string remote_ref;
  std::string remote_sha;
};

/// The refs a pre-push hook is told about; deletions (an all-zero local sha) are left out.
[[nodiscard]] std::vector<PushedRef> parse_pre_push(std::istream& in);

/// The root of the work tree of the repository containing `dir`.
[[nodiscard]] Result<std::string> work_tree_root(const std::filesystem::path& dir);

/// Paths whose staged content differs from HEAD (the index GIT_INDEX_FILE names when set, as
/// `git commit -a` does) (every staged path before the first commit),
/// deletions and both sides of renames included, sorted.
[[nodiscard]] Result<std::vector<std::string>> staged_files(const std::filesystem::path& dir);

/// Paths `push` changes: remote sha..local sha, or, for a new branch or an unknown remote sha,
/// the changes of every commit not yet on any remote-tracking ref. Sorted.
[[nodiscard]] Result<std::vector<std::string>> pushed_files(const std::filesystem::path& dir, const PushedRef& push);

/// The size of the files the index lists, as recorded at staging: what an export will write,
/// give or take the changes of a pushed commit.
[[nodiscard]] Result<std::uint64_t> index_bytes(const std::filesystem::path& dir);

/// Which paths an export writes.
struct ExportFilter {
  std::string prefix;  // only paths starting with this (empty: all)
};

/// Writes the staged content of every index entry (stage 0; GIT_INDEX_FILE's index when set)
/// under `target`, with its mode.
[[nodiscard]] Result<std::size_t> export_index(const std::filesystem::path& dir, const std::filesystem::path& target,
                                               const ExportFilter& filter = {});

/// Writes the tree of commit `sha` under `target`.
[[nodiscard]] Result<std::size_t> export_commit(const std::filesystem::path& dir, const std::string& sha,
                                                const std::filesystem::path& target, const ExportFilter& filter = {});

}  // namespace pipeline::runner::hook
