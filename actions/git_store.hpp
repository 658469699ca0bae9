#pragma once
// The libgit2 side of the action cache: a bare mirror per repository, refs resolved over the
// wire, and commits exported as plain directories. Internal to pipe_actions.
#include <string>

#include "workflow/base/result.hpp"

namespace pipeline::actions {

/// Asks the remote at `url` which commit `ref` (tag or branch) names; "" when it has no such ref.
[[nodiscard]] Result<std::string> remote_ref_sha(const std::string& url, const std::string& ref);

/// Creates (if needed) the bare mirror at `mirror_dir` and fetches every branch and tag of `url`.
[[nodiscard]] Result<void> fetch_mirror(const std::string& mirror_dir, const std::string& url);

/// The full SHA of a commit in the mirror whose id starts with `prefix`; "" when none.
[[nodiscard]] std::string find_commit_by_prefix(const std::string& mirror_dir, const std::string& prefix);

/// The commit `ref` (tag, branch or full SHA) names in the mirror; "" when none.
[[nodiscard]] std::string mirror_ref_sha(const std::string& mirror_dir, const std::string& ref);

/// Writes the tree of commit `sha` into `target_dir` (which must not exist yet).
[[nodiscard]] Result<void> export_commit(const std::string& mirror_dir, const std::string& sha,
                                         const std::string& target_dir);

}  // namespace pipeline::actions

namespace pipeline::actions {

/// The commit `ref` (a branch, tag, remote branch, or full or short SHA: anything `git
/// rev-parse` takes) names in the working repository at `repo_dir`; "" when none.
[[nodiscard]] std::string local_ref_sha(const std::string& repo_dir, const std::string& ref);

/// Writes the tree of commit `sha` of the working repository at `repo_dir` into `target_dir`
/// (which must not exist yet).
[[nodiscard]] Result<void> export_local_commit(const std::string& repo_dir, const std::string& sha,
                                               const std::string& target_dir);

/// Copies the files tracked in the index of the repository at `repo_dir` into `dest`
/// (a plain copy of every file when `repo_dir` is not a git repository); `dest` itself is skipped.
[[nodiscard]] Result<void> copy_tracked_files(const std::string& repo_dir, const std::string& dest);

}  // namespace pipeline::actions
