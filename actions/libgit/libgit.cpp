#include "actions/libgit/libgit.hpp"

#include <cstdlib>

namespace pipeline::actions::libgit {
namespace {

// libgit2 wants one init before any call; a function-local static gives that once, from any
// thread, and shuts the library down at exit.
class Library {
public:
  Library() { git_libgit2_init(); }
  ~Library() { git_libgit2_shutdown(); }
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
};

}  // namespace

void initialise() {
  static Library library;
}

Result<Repository> open(const std::filesystem::path& dir) {
  initialise();
  git_repository* raw = nullptr;
  // Inside a hook git may name the repository in GIT_DIR (and GIT_WORK_TREE), e.g. for a bare
  // repository with a separate work tree; libgit2 honours them only when asked.
  // (libgit2 1.5's GIT_REPOSITORY_OPEN_FROM_ENV refuses GIT_WORK_TREE, so both are read here.)
  const char* git_dir = std::getenv("GIT_DIR");
  const bool from_env = git_dir != nullptr && *git_dir != '\0';
  const int rc = from_env ? git_repository_open(&raw, git_dir) : git_repository_open_ext(&raw, dir.c_str(), 0, nullptr);
  const char* work_tree = std::getenv("GIT_WORK_TREE");
  if (rc == 0 && from_env && work_tree != nullptr && *work_tree != '\0' &&
      git_repository_set_workdir(raw, work_tree, 0) < 0) {
    git_repository_free(raw);
    return failure(std::string("cannot use the work tree ") + work_tree);
  }
  if (rc == GIT_ENOTFOUND) {
    return Error{dir.string() + " is not inside a git repository"};
  }
  if (rc < 0) {
    return failure("cannot open the git repository at " + dir.string());
  }
  return Repository{raw};
}

Error failure(std::string_view what, std::string_view unknown) {
  const git_error* error = git_error_last();
  const std::string_view detail = error != nullptr && error->message != nullptr ? error->message : unknown;
  return Error{std::string(what) + ": " + std::string(detail)};
}

std::string text(const git_oid* oid) {
  char buffer[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(buffer, sizeof buffer, oid);
  return buffer;
}

}  // namespace pipeline::actions::libgit
