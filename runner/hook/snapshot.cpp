#include "runner/hook/snapshot.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

#include "actions/libgit/libgit.hpp"

namespace pipeline::runner::hook {
namespace {

namespace libgit = actions::libgit;

namespace fs = std::filesystem;
using namespace libgit;

// `git commit -a` and `git commit <paths>` build the commit in a temporary index and name it in
// GIT_INDEX_FILE for the hooks; libgit2 does not read that variable itself.
Result<Index> staged_index(git_repository* repo) {
  git_index* raw = nullptr;
  const char* file = std::getenv("GIT_INDEX_FILE");
  if (file != nullptr && *file != '\0') {
    if (git_index_open(&raw, file) < 0) {
      return failure(std::string("cannot read the index ") + file);
    }
    return Index{raw};
  }
  if (git_repository_index(&raw, repo) < 0) {
    return failure("cannot read the index");
  }
  return Index{raw};
}

/// A repository and the index a commit from it would take.
struct Staged {
  Repository repo;
  Index index;  // declared after repo: freed first
};

Result<Staged> open_staged(const fs::path& dir) {
  auto repo = libgit::open(dir);
  if (!repo) {
    return repo.error();
  }
  auto index = staged_index(repo->get());
  if (!index) {
    return index.error();
  }
  return Staged{std::move(*repo), std::move(*index)};
}

bool is_zero_sha(const std::string& sha) { return sha.find_first_not_of('0') == std::string::npos; }

Result<Tree> commit_tree(git_repository* repo, const std::string& sha) {
  git_oid oid;
  git_commit* commit = nullptr;
  if (git_oid_fromstr(&oid, sha.c_str()) < 0 || git_commit_lookup(&commit, repo, &oid) < 0) {
    return failure("no commit " + sha);
  }
  Commit owned{commit};
  git_tree* tree = nullptr;
  if (git_commit_tree(&tree, commit) < 0) {
    return failure("cannot read the tree of " + sha);
  }
  return Tree{tree};
}

// HEAD's tree, or null before the first commit.
Result<Tree> head_tree(git_repository* repo) {
  git_object* object = nullptr;
  const int rc = git_revparse_single(&object, repo, "HEAD^{tree}");
  if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH) {
    return Tree{};
  }
  if (rc < 0) {
    return failure("cannot read HEAD");
  }
  return Tree{reinterpret_cast<git_tree*>(object)};
}

void add_paths(git_diff* diff, std::set<std::string>& out) {
  const std::size_t n = git_diff_num_deltas(diff);
  for (std::size_t i = 0; i < n; ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff, i);
    out.insert(delta->old_file.path);
    out.insert(delta->new_file.path);
  }
}

Result<void> add_tree_diff(git_repository* repo, git_tree* from, git_tree* to, std::set<std::string>& out) {
  git_diff* raw = nullptr;
  if (git_diff_tree_to_tree(&raw, repo, from, to, nullptr) < 0) {
    return failure("cannot diff trees");
  }
  Diff diff{raw};
  add_paths(diff.get(), out);
  return {};
}

// Each commit reachable from `sha` but from no remote-tracking ref, against its first parent.
Result<void> add_unpushed_commits(git_repository* repo, const std::string& sha, std::set<std::string>& out) {
  git_revwalk* raw = nullptr;
  git_oid oid;
  if (git_revwalk_new(&raw, repo) < 0 || git_oid_fromstr(&oid, sha.c_str()) < 0) {
    return failure("cannot walk the commits of " + sha);
  }
  Revwalk walk{raw};
  if (git_revwalk_push(raw, &oid) < 0) {
    return failure("cannot walk the commits of " + sha);
  }
  (void)git_revwalk_hide_glob(raw, "refs/remotes/*");
  git_oid next;
  while (git_revwalk_next(&next, raw) == 0) {
    const std::string text = libgit::text(&next);
    auto tree = commit_tree(repo, text);
    if (!tree) {
      return tree.error();
    }
    git_commit* commit = nullptr;
    (void)git_commit_lookup(&commit, repo, &next);
    Commit owned{commit};
    Tree parent_tree;
    if (git_commit_parentcount(commit) > 0) {
      auto parent = commit_tree(repo, libgit::text(git_commit_parent_id(commit, 0)));
      if (parent) {
        parent_tree = std::move(*parent);
      }
    }
    if (auto added = add_tree_diff(repo, parent_tree.get(), tree->get(), out); !added) {
      return added;
    }
  }
  return {};
}

Result<void> write_blob(git_repository* repo, const git_oid* id, unsigned mode, const fs::path& path) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (mode == GIT_FILEMODE_COMMIT) {
    fs::create_directories(path, ec);  // a submodule: present as an empty directory, as in a fresh clone
    return {};
  }
  git_blob* raw = nullptr;
  if (git_blob_lookup(&raw, repo, id) < 0) {
    return failure("cannot read the blob of " + path.string());
  }
  Blob blob{raw};
  const auto* data = static_cast<const char*>(git_blob_rawcontent(raw));
  const auto size = static_cast<std::size_t>(git_blob_rawsize(raw));
  if (mode == GIT_FILEMODE_LINK) {
    fs::create_symlink(std::string(data, size), path, ec);
    return ec ? Result<void>(Error{"cannot create " + path.string() + ": " + ec.message()}) : Result<void>{};
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                        mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644);
  if (fd < 0) {
    return Error{"cannot create " + path.string()};
  }
  std::size_t written = 0;
  while (written < size) {
    const auto n = ::write(fd, data + written, size - written);
    if (n <= 0) {
      ::close(fd);
      return Error{"cannot write " + path.string()};
    }
    written += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return {};
}

struct TreeExport {
  git_repository* repo;
  fs::path target;
  const ExportFilter* filter;
  std::size_t count = 0;
  std::optional<Error> error;
};

int export_tree_entry(const char* root, const git_tree_entry* entry, void* payload) {
  auto& state = *static_cast<TreeExport*>(payload);
  if (git_tree_entry_type(entry) == GIT_OBJECT_TREE) {
    const std::string dir = std::string(root) + git_tree_entry_name(entry) + "/";
    const auto& prefix = state.filter->prefix;
    // Skip whole subtrees that cannot hold a path under the prefix.
    const bool related = prefix.compare(0, std::min(prefix.size(), dir.size()), dir, 0,
                                        std::min(prefix.size(), dir.size())) == 0;
    return related ? 0 : 1;
  }
  const std::string path = std::string(root) + git_tree_entry_name(entry);
  if (path.rfind(state.filter->prefix, 0) != 0) {
    return 0;
  }
  auto written = write_blob(state.repo, git_tree_entry_id(entry), git_tree_entry_filemode(entry), state.target / path);
  if (!written) {
    state.error = written.error();
    return -1;
  }
  ++state.count;
  return 0;
}

}  // namespace

std::vector<PushedRef> parse_pre_push(std::istream& in) {
  std::vector<PushedRef> refs;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    PushedRef ref;
    if (words >> ref.local_ref >> ref.local_sha >> ref.remote_ref >> ref.remote_sha && !is_zero_sha(ref.local_sha)) {
      refs.push_back(ref);
    }
  }
  return refs;
}

Result<std::string> work_tree_root(const fs::path& dir) {
  auto repo = libgit::open(dir);
  if (!repo) {
    return repo.error();
  }
  const char* workdir = git_repository_workdir(repo->get());
  if (workdir == nullptr) {
    return Error{"the repository at " + dir.string() + " has no work tree"};
  }
  std::string root = workdir;
  while (root.size() > 1 && root.back() == '/') {
    root.pop_back();
  }
  return root;
}

Result<std::vector<std::string>> staged_files(const fs::path& dir) {
  auto staged = open_staged(dir);
  if (!staged) {
    return staged.error();
  }
  auto tree = head_tree(staged->repo.get());
  if (!tree) {
    return tree.error();
  }
  git_diff* raw = nullptr;
  if (git_diff_tree_to_index(&raw, staged->repo.get(), tree->get(), staged->index.get(), nullptr) < 0) {
    return failure("cannot diff HEAD and the index");
  }
  Diff diff{raw};
  std::set<std::string> paths;
  add_paths(raw, paths);
  return std::vector<std::string>(paths.begin(), paths.end());
}

Result<std::vector<std::string>> pushed_files(const fs::path& dir, const PushedRef& push) {
  auto repo = libgit::open(dir);
  if (!repo) {
    return repo.error();
  }
  std::set<std::string> paths;
  auto local = commit_tree(repo->get(), push.local_sha);
  if (!local) {
    return local.error();
  }
  auto remote = is_zero_sha(push.remote_sha) ? Result<Tree>(Error{"new ref"}) : commit_tree(repo->get(), push.remote_sha);
  auto added = remote ? add_tree_diff(repo->get(), remote->get(), local->get(), paths)
                      : add_unpushed_commits(repo->get(), push.local_sha, paths);
  if (!added) {
    return added.error();
  }
  return std::vector<std::string>(paths.begin(), paths.end());
}

Result<std::uint64_t> index_bytes(const fs::path& dir) {
  auto staged = open_staged(dir);
  if (!staged) {
    return staged.error();
  }
  std::uint64_t total = 0;
  const std::size_t n = git_index_entrycount(staged->index.get());
  for (std::size_t i = 0; i < n; ++i) {
    total += git_index_get_byindex(staged->index.get(), i)->file_size;
  }
  return total;
}

Result<std::size_t> export_index(const fs::path& dir, const fs::path& target, const ExportFilter& filter) {
  auto staged = open_staged(dir);
  if (!staged) {
    return staged.error();
  }
  git_index* raw = staged->index.get();
  std::size_t count = 0;
  const std::size_t n = git_index_entrycount(raw);
  for (std::size_t i = 0; i < n; ++i) {
    const git_index_entry* entry = git_index_get_byindex(raw, i);
    const std::string path = entry->path;
    // Conflicted entries (stages 1-3) have no single staged content; git refuses such a commit.
    if (git_index_entry_stage(entry) != 0 || path.rfind(filter.prefix, 0) != 0) {
      continue;
    }
    if (auto written = write_blob(staged->repo.get(), &entry->id, entry->mode, target / path); !written) {
      return written.error();
    }
    ++count;
  }
  return count;
}

Result<std::size_t> export_commit(const fs::path& dir, const std::string& sha, const fs::path& target,
                                  const ExportFilter& filter) {
  auto repo = libgit::open(dir);
  if (!repo) {
    return repo.error();
  }
  auto tree = commit_tree(repo->get(), sha);
  if (!tree) {
    return tree.error();
  }
  TreeExport state{repo->get(), target, &filter};
  if (git_tree_walk(tree->get(), GIT_TREEWALK_PRE, export_tree_entry, &state) < 0 && state.error) {
    return *state.error;
  }
  return state.count;
}

}  // namespace pipeline::runner::hook
