#pragma once
// libgit2 handles owned by unique_ptr, shared by every module that uses libgit2; include it from
// .cpp files only (git2.h is heavy).
#include <git2.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "workflow/base/result.hpp"

namespace pipeline::actions::libgit {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* pointer) const { Free(pointer); }
};
/// A libgit2 object freed by its own free function.
template <class T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

using Repository = Owned<git_repository, git_repository_free>;
using Index = Owned<git_index, git_index_free>;
using Tree = Owned<git_tree, git_tree_free>;
using Commit = Owned<git_commit, git_commit_free>;
using Diff = Owned<git_diff, git_diff_free>;
using Blob = Owned<git_blob, git_blob_free>;
using Config = Owned<git_config, git_config_free>;
using Revwalk = Owned<git_revwalk, git_revwalk_free>;
using Reference = Owned<git_reference, git_reference_free>;
using StatusList = Owned<git_status_list, git_status_list_free>;
using Object = Owned<git_object, git_object_free>;
using Remote = Owned<git_remote, git_remote_free>;

/// Initialises libgit2 once for the process (shut down at exit); every entry point calls it first.
void initialise();

/// The repository containing `dir` (searching upwards), or the one GIT_DIR names when set; an
/// error says when there is none.
[[nodiscard]] Result<Repository> open(const std::filesystem::path& dir);

/// `what` with libgit2's last error message, or with `unknown` when libgit2 recorded none.
[[nodiscard]] Error failure(std::string_view what, std::string_view unknown = "unknown error");

/// The 40-hex text of `oid`.
[[nodiscard]] std::string text(const git_oid* oid);

}  // namespace pipeline::actions::libgit
