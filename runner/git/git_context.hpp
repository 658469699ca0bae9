#pragma once
// What the `github` context needs from the local repository: HEAD, its ref, the repository's
// name from `origin`, the actor, and which files a push or the work tree changes (libgit2).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "workflow/base/result.hpp"

namespace pipeline::runner::git {

/// The repository facts GitHub puts in `github.*` and `GITHUB_*`.
struct RepoInfo {
  bool is_repository = false;  // false: every field but `actor` is empty
  std::string sha;             // HEAD commit; empty before the first commit
  std::string ref;             // refs/heads/<branch>, refs/tags/<tag> (detached at a tag), or empty
  std::string ref_name;        // <branch> or <tag>
  std::string ref_type;        // branch | tag | empty
  std::string repository;      // owner/name from the `origin` remote
  std::string repository_owner;
  std::string remote_url;      // `origin`'s URL as configured
  std::string actor;           // git config user.name, else $USER
  std::string actor_email;     // git config user.email
  std::string workspace;       // the work tree root
  std::string default_branch;  // origin/HEAD, else main or master if they exist, else the branch
};

/// Owner and name parsed from a remote URL.
struct RemoteName {
  std::string owner;
  std::string name;
};

/// The HEAD commit, as a push event describes it.
struct CommitInfo {
  std::string sha;
  std::string parent_sha;  // first parent; empty for a root commit
  std::string tree_sha;
  std::string message;
  std::string timestamp;  // ISO 8601 with the author's offset, e.g. 2024-05-01T10:00:00+02:00
  std::string author_name, author_email;
  std::string committer_name, committer_email;
};

/// Reads the repository that contains `dir` (searching upwards); a directory outside any
/// repository gives `is_repository == false`, not an error.
/// `remote` names the remote whose URL gives `repository` and whose HEAD the default branch (act's --remote-name).
[[nodiscard]] Result<RepoInfo> read_repository(const std::filesystem::path& dir, const std::string& remote = "origin");

/// `owner/name` from `https://host/o/r(.git)`, `git@host:o/r.git`, `ssh://git@host[:port]/o/r`,
/// `git://host/o/r`; nullopt when the URL has no two path segments.
[[nodiscard]] std::optional<RemoteName> parse_remote_url(std::string_view url);

/// Paths HEAD changed relative to its first parent (every path for a root commit), sorted.
[[nodiscard]] Result<std::vector<std::string>> changed_files_for_push(const std::filesystem::path& dir);

/// Paths that differ between HEAD and the index or the work tree, untracked files included
/// and ignored ones not, sorted.
[[nodiscard]] Result<std::vector<std::string>> uncommitted_changes(const std::filesystem::path& dir);

/// The HEAD commit of the repository containing `dir`.
[[nodiscard]] Result<CommitInfo> read_head_commit(const std::filesystem::path& dir);

/// A `push` event payload as GitHub sends it for HEAD (ref, before, after, repository,
/// head_commit, commits, pusher, sender, created/deleted/forced).
[[nodiscard]] nlohmann::json synthesize_push_event(const RepoInfo& repo, const CommitInfo& head);

}  // namespace pipeline::runner::git
