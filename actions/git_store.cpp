#include "actions/git_store.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "actions/libgit/libgit.hpp"

namespace pipeline::actions {

namespace fs = std::filesystem;

namespace {

// git_store's messages have always named the library when libgit2 gave no reason.
constexpr std::string_view k_unknown = "unknown libgit2 error";

using libgit::Commit;
using libgit::Object;
using libgit::Remote;
using libgit::Repository;
using libgit::Tree;

Repository open_repo(const std::string& dir) {
  git_repository* repo = nullptr;
  if (git_repository_open_bare(&repo, dir.c_str()) != 0) {
    return nullptr;
  }
  return Repository(repo);
}

/// The commit an object peels to, as a SHA; "" when it is no commit.
std::string peel_to_commit(git_repository* repo, const std::string& spec) {
  git_object* object = nullptr;
  if (git_revparse_single(&object, repo, spec.c_str()) != 0) {
    return "";
  }
  Object owned(object);
  git_object* commit = nullptr;
  if (git_object_peel(&commit, object, GIT_OBJECT_COMMIT) != 0) {
    return "";
  }
  Object owned_commit(commit);
  return libgit::text(git_object_id(commit));
}

Result<void> write_blob(git_repository* repo, const git_tree_entry* entry, const fs::path& target) {
  git_blob* blob = nullptr;
  if (git_blob_lookup(&blob, repo, git_tree_entry_id(entry)) != 0) {
    return libgit::failure("reading " + target.string(), k_unknown);
  }
  const auto* data = static_cast<const char*>(git_blob_rawcontent(blob));
  const auto size = static_cast<std::size_t>(git_blob_rawsize(blob));
  const auto mode = git_tree_entry_filemode(entry);
  Result<void> result;
  if (mode == GIT_FILEMODE_LINK) {
    if (::symlink(std::string(data, size).c_str(), target.c_str()) != 0) {
      result = Error{"cannot create symlink " + target.string()};
    }
  } else {
    std::ofstream out(target, std::ios::binary);
    out.write(data, static_cast<std::streamsize>(size));
    if (!out) {
      result = Error{"cannot write " + target.string()};
    }
    out.close();
    ::chmod(target.c_str(), mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644);
  }
  git_blob_free(blob);
  return result;
}

Result<void> write_tree(git_repository* repo, const git_tree* tree, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  for (std::size_t i = 0; i < git_tree_entrycount(tree); ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(tree, i);
    const fs::path target = dir / git_tree_entry_name(entry);
    const auto type = git_tree_entry_type(entry);
    if (type == GIT_OBJECT_TREE) {
      git_tree* sub = nullptr;
      if (git_tree_lookup(&sub, repo, git_tree_entry_id(entry)) != 0) {
        return libgit::failure("reading " + target.string(), k_unknown);
      }
      Tree owned(sub);
      if (auto r = write_tree(repo, sub, target); !r) {
        return r;
      }
    } else if (type == GIT_OBJECT_BLOB) {
      if (auto r = write_blob(repo, entry, target); !r) {
        return r;
      }
    }
    // Submodules (commits) are not fetched, as GitHub's action download does not include them.
  }
  return {};
}

}  // namespace

Result<std::string> remote_ref_sha(const std::string& url, const std::string& ref) {
  libgit::initialise();
  git_remote* raw = nullptr;
  if (git_remote_create_detached(&raw, url.c_str()) != 0) {
    return libgit::failure("cannot use " + url, k_unknown);
  }
  Remote remote(raw);
  if (git_remote_connect(remote.get(), GIT_DIRECTION_FETCH, nullptr, nullptr, nullptr) != 0) {
    return libgit::failure("cannot reach " + url, k_unknown);
  }
  const git_remote_head** heads = nullptr;
  std::size_t count = 0;
  if (git_remote_ls(&heads, &count, remote.get()) != 0) {
    return libgit::failure("cannot list " + url, k_unknown);
  }
  // A peeled annotated tag names the commit; a branch and a lightweight tag name it directly.
  const std::string candidates[] = {"refs/tags/" + ref + "^{}", "refs/tags/" + ref, "refs/heads/" + ref, ref};
  for (const auto& wanted : candidates) {
    for (std::size_t i = 0; i < count; ++i) {
      if (wanted == heads[i]->name) {
        return libgit::text(&heads[i]->oid);
      }
    }
  }
  return std::string();
}

Result<void> fetch_mirror(const std::string& mirror_dir, const std::string& url) {
  libgit::initialise();
  Repository repo = open_repo(mirror_dir);
  if (!repo) {
    git_repository* created = nullptr;
    if (git_repository_init(&created, mirror_dir.c_str(), 1) != 0) {
      return libgit::failure("cannot create " + mirror_dir, k_unknown);
    }
    repo.reset(created);
  }
  git_remote* raw = nullptr;
  if (git_remote_create_anonymous(&raw, repo.get(), url.c_str()) != 0) {
    return libgit::failure("cannot use " + url, k_unknown);
  }
  Remote remote(raw);
  char heads[] = "+refs/heads/*:refs/remotes/origin/*";
  char tags[] = "+refs/tags/*:refs/tags/*";
  char* specs[] = {heads, tags};
  git_strarray refspecs{specs, 2};
  git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
  if (git_remote_fetch(remote.get(), &refspecs, &options, nullptr) != 0) {
    return libgit::failure("cannot fetch " + url, k_unknown);
  }
  return {};
}

std::string find_commit_by_prefix(const std::string& mirror_dir, const std::string& prefix) {
  libgit::initialise();
  Repository repo = open_repo(mirror_dir);
  git_oid oid;
  if (!repo || git_oid_fromstrn(&oid, prefix.c_str(), prefix.size()) != 0) {
    return "";
  }
  git_object* object = nullptr;
  if (git_object_lookup_prefix(&object, repo.get(), &oid, prefix.size(), GIT_OBJECT_COMMIT) != 0) {
    return "";
  }
  Object owned(object);
  return libgit::text(git_object_id(object));
}

std::string mirror_ref_sha(const std::string& mirror_dir, const std::string& ref) {
  libgit::initialise();
  Repository repo = open_repo(mirror_dir);
  if (!repo) {
    return "";
  }
  for (const auto& spec : {"refs/tags/" + ref, "refs/remotes/origin/" + ref}) {
    if (auto sha = peel_to_commit(repo.get(), spec); !sha.empty()) {
      return sha;
    }
  }
  if (ref.size() == GIT_OID_HEXSZ) {
    return peel_to_commit(repo.get(), ref);
  }
  return "";
}

namespace {

/// Writes the tree of commit `sha` of `repo` into `target_dir`.
Result<void> export_tree(git_repository* repo, const std::string& sha, const std::string& target_dir) {
  git_oid oid;
  if (git_oid_fromstr(&oid, sha.c_str()) != 0) {
    return Error{"'" + sha + "' is not a commit id"};
  }
  git_commit* raw = nullptr;
  if (git_commit_lookup(&raw, repo, &oid) != 0) {
    return libgit::failure("commit " + sha, k_unknown);
  }
  Commit commit(raw);
  git_tree* tree = nullptr;
  if (git_commit_tree(&tree, commit.get()) != 0) {
    return libgit::failure("tree of " + sha, k_unknown);
  }
  Tree owned(tree);
  return write_tree(repo, tree, target_dir);
}

/// A working repository (found from any directory inside it), unlike the cache's bare mirrors.
Repository open_work_repo(const std::string& dir) {
  git_repository* repo = nullptr;
  if (git_repository_open_ext(&repo, dir.c_str(), 0, nullptr) != 0) {
    return nullptr;
  }
  return Repository(repo);
}

}  // namespace

Result<void> export_commit(const std::string& mirror_dir, const std::string& sha, const std::string& target_dir) {
  libgit::initialise();
  Repository repo = open_repo(mirror_dir);
  if (!repo) {
    return Error{"cannot open the action cache " + mirror_dir};
  }
  return export_tree(repo.get(), sha, target_dir);
}

std::string local_ref_sha(const std::string& repo_dir, const std::string& ref) {
  libgit::initialise();
  Repository repo = open_work_repo(repo_dir);
  return repo ? peel_to_commit(repo.get(), ref) : "";
}

Result<void> export_local_commit(const std::string& repo_dir, const std::string& sha, const std::string& target_dir) {
  libgit::initialise();
  Repository repo = open_work_repo(repo_dir);
  if (!repo) {
    return Error{"cannot open the repository " + repo_dir};
  }
  return export_tree(repo.get(), sha, target_dir);
}

}  // namespace pipeline::actions

namespace pipeline::actions {

namespace {

Result<void> copy_one(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  fs::copy(from, to, fs::copy_options::overwrite_existing | fs::copy_options::copy_symlinks, ec);
  if (ec) {
    return Error{"cannot copy " + from.string() + " to " + to.string() + ": " + ec.message()};
  }
  return {};
}

bool inside(const fs::path& path, const fs::path& dir) {
  const auto rel = path.lexically_relative(dir);
  return !rel.empty() && *rel.begin() != "..";
}

}  // namespace

Result<void> copy_tracked_files(const std::string& repo_dir, const std::string& dest) {
  libgit::initialise();
  const fs::path root = fs::path(repo_dir).lexically_normal();
  const fs::path target = fs::path(dest).lexically_normal();
  git_repository* raw = nullptr;
  if (git_repository_open(&raw, repo_dir.c_str()) != 0) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (inside(it->path(), target) || it->path() == target) {
        it.disable_recursion_pending();
      } else if (it->is_regular_file() || it->is_symlink()) {
        if (auto r = copy_one(it->path(), target / it->path().lexically_relative(root)); !r) {
          return r;
        }
      }
    }
    return {};
  }
  Repository repo(raw);
  git_index* index_raw = nullptr;
  if (git_repository_index(&index_raw, repo.get()) != 0) {
    return libgit::failure("cannot read the index of " + repo_dir, k_unknown);
  }
  libgit::Index index(index_raw);
  for (std::size_t i = 0; i < git_index_entrycount(index.get()); ++i) {
    const git_index_entry* entry = git_index_get_byindex(index.get(), i);
    const fs::path from = root / entry->path;
    if (inside(from, target) || !fs::exists(fs::symlink_status(from))) {
      continue;
    }
    if (auto r = copy_one(from, target / entry->path); !r) {
      return r;
    }
  }
  return {};
}

}  // namespace pipeline::actions
