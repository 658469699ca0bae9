#include "runner/git/git_context.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <set>

#include "actions/libgit/libgit.hpp"

namespace pipeline::runner::git {
namespace {

namespace libgit = actions::libgit;
using libgit::Commit;
using libgit::Config;
using libgit::Diff;
using libgit::Object;
using libgit::Reference;
using libgit::Repository;
using libgit::StatusList;
using libgit::Tree;

std::string strip_prefix(std::string_view text, std::string_view prefix) {
  return std::string(text.substr(0, prefix.size()) == prefix ? text.substr(prefix.size()) : text);
}

// A null repository (not an error) when `dir` is outside any repository.
Result<Repository> open_repository(const std::filesystem::path& dir) {
  libgit::initialise();
  git_repository* raw = nullptr;
  const int rc = git_repository_open_ext(&raw, dir.c_str(), 0, nullptr);
  if (rc == GIT_ENOTFOUND) {
    return Repository{};
  }
  if (rc < 0) {
    return libgit::failure("cannot open the git repository at " + dir.string());
  }
  return Repository{raw};
}

Result<Repository> require_repository(const std::filesystem::path& dir) {
  auto repo = open_repository(dir);
  if (repo && !*repo) {
    return Error{dir.string() + " is not inside a git repository"};
  }
  return repo;
}

std::string config_string(git_config* config, const char* key) {
  git_config* snapshot_raw = nullptr;
  if (git_config_snapshot(&snapshot_raw, config) < 0) {
    return {};
  }
  Config snapshot{snapshot_raw};
  const char* value = nullptr;
  return git_config_get_string(&value, snapshot.get(), key) == 0 && value != nullptr ? value : "";
}

void read_actor(git_repository* repo, RepoInfo& info) {
  git_config* raw = nullptr;
  const int rc = repo != nullptr ? git_repository_config(&raw, repo) : git_config_open_default(&raw);
  if (rc == 0) {
    Config config{raw};
    info.actor = config_string(config.get(), "user.name");
    info.actor_email = config_string(config.get(), "user.email");
  }
  if (info.actor.empty()) {
    const char* user = std::getenv("USER");
    info.actor = user != nullptr ? user : "";
  }
}

// The first tag (by name) whose target peels to `commit`.
std::string tag_at(git_repository* repo, const git_oid& commit) {
  git_strarray names{};
  if (git_tag_list(&names, repo) < 0) {
    return {};
  }
  std::set<std::string> sorted(names.strings, names.strings + names.count);
  git_strarray_dispose(&names);
  for (const auto& name : sorted) {
    git_object* raw = nullptr;
    if (git_revparse_single(&raw, repo, ("refs/tags/" + name + "^{commit}").c_str()) != 0) {
      continue;
    }
    Object target{raw};
    if (git_oid_equal(git_object_id(target.get()), &commit) != 0) {
      return name;
    }
  }
  return {};
}

void set_ref(RepoInfo& info, std::string ref) {
  info.ref = std::move(ref);
  if (info.ref.rfind("refs/tags/", 0) == 0) {
    info.ref_type = "tag";
    info.ref_name = strip_prefix(info.ref, "refs/tags/");
  } else if (info.ref.rfind("refs/heads/", 0) == 0) {
    info.ref_type = "branch";
    info.ref_name = strip_prefix(info.ref, "refs/heads/");
  }
}

Result<void> read_head(git_repository* repo, RepoInfo& info) {
  git_reference* raw = nullptr;
  const int rc = git_repository_head(&raw, repo);
  if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND) {
    // Before the first commit HEAD still names the branch it will create.
    git_reference* head_raw = nullptr;
    if (git_reference_lookup(&head_raw, repo, "HEAD") == 0) {
      Reference symbolic{head_raw};
      const char* target = git_reference_symbolic_target(symbolic.get());
      set_ref(info, target != nullptr ? target : "");
    }
    return {};
  }
  if (rc < 0) {
    return libgit::failure("cannot read HEAD");
  }
  Reference head{raw};
  const git_oid* oid = git_reference_target(head.get());
  info.sha = oid != nullptr ? libgit::text(oid) : "";
  if (git_repository_head_detached(repo) != 1) {
    set_ref(info, git_reference_name(head.get()));
  } else if (oid != nullptr) {
    const std::string tag = tag_at(repo, *oid);
    if (!tag.empty()) {
      set_ref(info, "refs/tags/" + tag);
    }
  }
  return {};
}

// Reads remote.origin.url directly: git_remote_lookup iterates the config with a regex,
// and libgit2 1.5's pcre2 matcher leaks its match data on every miss.
void read_origin(git_repository* repo, RepoInfo& info, const std::string& remote) {
  git_config* raw = nullptr;
  if (git_repository_config(&raw, repo) != 0) {
    return;
  }
  Config config{raw};
  info.remote_url = config_string(config.get(), ("remote." + remote + ".url").c_str());
  if (auto name = parse_remote_url(info.remote_url)) {
    info.repository = name->owner + "/" + name->name;
    info.repository_owner = name->owner;
  }
}

bool has_reference(git_repository* repo, const std::string& name) {
  git_reference* raw = nullptr;
  if (git_reference_lookup(&raw, repo, name.c_str()) != 0) {
    return false;
  }
  git_reference_free(raw);
  return true;
}

std::string guess_default_branch(git_repository* repo, const RepoInfo& info, const std::string& remote) {
  git_reference* raw = nullptr;
  if (git_reference_lookup(&raw, repo, ("refs/remotes/" + remote + "/HEAD").c_str()) == 0) {
    Reference origin_head{raw};
    const char* target = git_reference_symbolic_target(origin_head.get());
    if (target != nullptr) {
      return strip_prefix(target, "refs/remotes/" + remote + "/");
    }
  }
  for (const char* candidate : {"main", "master"}) {
    if (has_reference(repo, std::string("refs/heads/") + candidate)) {
      return candidate;
    }
  }
  return info.ref_type == "branch" ? info.ref_name : "main";
}

std::string workspace_of(git_repository* repo) {
  const char* workdir = git_repository_workdir(repo);
  std::string root = workdir != nullptr ? workdir : git_repository_path(repo);
  while (root.size() > 1 && root.back() == '/') {
    root.pop_back();
  }
  return root;
}

// HEAD's commit, or null before the first commit.
Result<Commit> head_commit(git_repository* repo) {
  git_oid oid;
  const int rc = git_reference_name_to_id(&oid, repo, "HEAD");
  if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH) {
    return Commit{};
  }
  git_commit* raw = nullptr;
  if (rc < 0 || git_commit_lookup(&raw, repo, &oid) < 0) {
    return libgit::failure("cannot read the HEAD commit");
  }
  return Commit{raw};
}

void add_delta_paths(const git_diff_delta* delta, std::set<std::string>& paths) {
  if (delta == nullptr) {
    return;
  }
  for (const char* path : {delta->old_file.path, delta->new_file.path}) {
    if (path != nullptr) {
      paths.insert(path);
    }
  }
}

std::string iso_time(const git_time& when) {
  const std::time_t local = static_cast<std::time_t>(when.time) + when.offset * 60;
  std::tm parts{};
  gmtime_r(&local, &parts);
  char text[40] = {};
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &parts);
  const int offset = when.offset < 0 ? -when.offset : when.offset;
  char zone[24] = {};
  std::snprintf(zone, sizeof zone, "%c%02d:%02d", when.offset < 0 ? '-' : '+', offset / 60, offset % 60);
  return std::string(text) + zone;
}

}  // namespace

std::optional<RemoteName> parse_remote_url(std::string_view url) {
  std::string_view path;
  if (url.substr(0, 7) == "file://") {
    return std::nullopt;  // a local path names no owner
  }
  if (const auto scheme = url.find("://"); scheme != std::string_view::npos) {
    path = url.substr(scheme + 3);
    const auto slash = path.find('/');
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  } else if (const auto colon = url.find(':'); colon != std::string_view::npos) {
    path = url.substr(colon + 1);  // scp-like: user@host:owner/name
  }
  while (!path.empty() && path.back() == '/') {
    path.remove_suffix(1);
  }
  if (path.size() > 4 && path.substr(path.size() - 4) == ".git") {
    path.remove_suffix(4);
  }
  const auto last = path.rfind('/');
  if (last == std::string_view::npos || last == 0 || last + 1 == path.size()) {
    return std::nullopt;
  }
  const auto before = path.rfind('/', last - 1);
  const std::size_t owner_start = before == std::string_view::npos ? 0 : before + 1;
  RemoteName name{std::string(path.substr(owner_start, last - owner_start)),
                  std::string(path.substr(last + 1))};
  if (name.owner.empty()) {
    return std::nullopt;
  }
  return name;
}

Result<RepoInfo> read_repository(const std::filesystem::path& dir, const std::string& remote) {
  auto repo = open_repository(dir);
  if (!repo) {
    return repo.error();
  }
  RepoInfo info;
  read_actor(repo->get(), info);
  if (!*repo) {
    return info;
  }
  info.is_repository = true;
  if (auto head = read_head(repo->get(), info); !head) {
    return head.error();
  }
  read_origin(repo->get(), info, remote);
  info.workspace = workspace_of(repo->get());
  info.default_branch = guess_default_branch(repo->get(), info, remote);
  return info;
}

Result<std::vector<std::string>> changed_files_for_push(const std::filesystem::path& dir) {
  auto repo = require_repository(dir);
  if (!repo) {
    return repo.error();
  }
  auto commit = head_commit(repo->get());
  if (!commit) {
    return commit.error();
  }
  if (!*commit) {
    return std::vector<std::string>{};
  }
  git_tree* tree_raw = nullptr;
  git_tree* parent_tree_raw = nullptr;
  if (git_commit_tree(&tree_raw, commit->get()) < 0) {
    return libgit::failure("cannot read HEAD's tree");
  }
  Tree tree{tree_raw};
  Tree parent_tree;
  if (git_commit_parentcount(commit->get()) > 0) {
    git_commit* parent_raw = nullptr;
    if (git_commit_parent(&parent_raw, commit->get(), 0) < 0) {
      return libgit::failure("cannot read HEAD's parent");
    }
    Commit parent{parent_raw};
    if (git_commit_tree(&parent_tree_raw, parent.get()) < 0) {
      return libgit::failure("cannot read the parent's tree");
    }
    parent_tree.reset(parent_tree_raw);
  }
  git_diff* diff_raw = nullptr;
  if (git_diff_tree_to_tree(&diff_raw, repo->get(), parent_tree.get(), tree.get(), nullptr) < 0) {
    return libgit::failure("cannot diff HEAD against its parent");
  }
  Diff diff{diff_raw};
  std::set<std::string> paths;
  for (std::size_t i = 0; i < git_diff_num_deltas(diff.get()); ++i) {
    add_delta_paths(git_diff_get_delta(diff.get(), i), paths);
  }
  return std::vector<std::string>(paths.begin(), paths.end());
}

Result<std::vector<std::string>> uncommitted_changes(const std::filesystem::path& dir) {
  auto repo = require_repository(dir);
  if (!repo) {
    return repo.error();
  }
  git_status_options options = GIT_STATUS_OPTIONS_INIT;
  options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
                  GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
  git_status_list* raw = nullptr;
  if (git_status_list_new(&raw, repo->get(), &options) < 0) {
    return libgit::failure("cannot read the work tree status");
  }
  StatusList list{raw};
  std::set<std::string> paths;
  for (std::size_t i = 0; i < git_status_list_entrycount(list.get()); ++i) {
    const git_status_entry* entry = git_status_byindex(list.get(), i);
    if (entry == nullptr || entry->status == GIT_STATUS_CURRENT || (entry->status & GIT_STATUS_IGNORED) != 0) {
      continue;
    }
    add_delta_paths(entry->head_to_index, paths);
    add_delta_paths(entry->index_to_workdir, paths);
  }
  return std::vector<std::string>(paths.begin(), paths.end());
}

Result<CommitInfo> read_head_commit(const std::filesystem::path& dir) {
  auto repo = require_repository(dir);
  if (!repo) {
    return repo.error();
  }
  auto commit = head_commit(repo->get());
  if (!commit) {
    return commit.error();
  }
  if (!*commit) {
    return Error{"the repository at " + dir.string() + " has no commits yet"};
  }
  git_commit* c = commit->get();
  CommitInfo info;
  info.sha = libgit::text(git_commit_id(c));
  info.tree_sha = libgit::text(git_commit_tree_id(c));
  if (git_commit_parentcount(c) > 0) {
    info.parent_sha = libgit::text(git_commit_parent_id(c, 0));
  }
  const char* message = git_commit_message(c);
  info.message = message != nullptr ? message : "";
  const git_signature* author = git_commit_author(c);
  const git_signature* committer = git_commit_committer(c);
  info.timestamp = iso_time(author->when);
  info.author_name = author->name;
  info.author_email = author->email;
  info.committer_name = committer->name;
  info.committer_email = committer->email;
  return info;
}

}  // namespace pipeline::runner::git
