#include "runner/hook/libgit.hpp"

namespace pipeline::runner::hook::libgit {
namespace {

// libgit2 wants one init before any call; a function-local static gives that once.
class Library {
public:
  Library() { git_libgit2_init(); }
  ~Library() { git_libgit2_shutdown(); }
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
};

}  // namespace

Result<Repository> open(const std::filesystem::path& dir) {
  static Library library;
  git_repository* raw = nullptr;
  const int rc = git_repository_open_ext(&raw, dir.c_str(), 0, nullptr);
  if (rc == GIT_ENOTFOUND) {
    return Error{dir.string() + " is not inside a git repository"};
  }
  if (rc < 0) {
    return failure("cannot open the git repository at " + dir.string());
  }
  return Repository{raw};
}

Error failure(std::string_view what) {
  const git_error* error = git_error_last();
  const char* detail = error != nullptr && error->message != nullptr ? error->message : "unknown error";
  return Error{std::string(what) + ": " + detail};
}

std::string text(const git_oid* oid) {
  char buffer[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(buffer, sizeof buffer, oid);
  return buffer;
}

}  // namespace pipeline::runner::hook::libgit
