#include "runner/watch/ignore_rules.hpp"

#include <algorithm>
#include <system_error>

#include "actions/libgit/libgit.hpp"

namespace pipeline::runner::watch {
namespace {

namespace fs = std::filesystem;
namespace libgit = actions::libgit;

bool under(const std::string& path, const std::string& prefix) {
  return path == prefix || (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
                            path[prefix.size()] == '/');
}

// A `.git` anywhere: the repository's own, and those of nested repositories and submodules.
bool in_git_dir(const std::string& path) {
  for (std::size_t start = 0; start <= path.size();) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (path.compare(start, end - start, ".git") == 0 && end - start == 4) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

fs::path canonical_or_same(const fs::path& path) {
  std::error_code ec;
  auto canonical = fs::weakly_canonical(path, ec);
  return ec ? path.lexically_normal() : canonical;
}

}  // namespace

struct IgnoreRules::Git {
  libgit::Repository repo;
};

std::string relative_inside(const fs::path& root, const fs::path& path) {
  const auto relative = canonical_or_same(fs::absolute(path)).lexically_relative(canonical_or_same(root));
  const std::string text = relative.generic_string();
  if (relative.empty() || text == "." || text.rfind("..", 0) == 0) {
    return {};
  }
  return text;
}

IgnoreRules::IgnoreRules(const fs::path& root, std::vector<std::string> outputs) : m_outputs(std::move(outputs)) {
  m_outputs.emplace_back(".pipe");
  auto repo = libgit::open(root);
  if (!repo || git_repository_is_bare(repo->get()) != 0) {
    return;
  }
  const char* workdir = git_repository_workdir(repo->get());
  if (workdir == nullptr) {
    return;
  }
  const auto inside = canonical_or_same(root).lexically_relative(canonical_or_same(workdir)).generic_string();
  m_prefix = inside.empty() || inside == "." ? "" : inside + "/";
  m_git = std::make_unique<Git>(Git{std::move(*repo)});
}

IgnoreRules::~IgnoreRules() = default;

bool IgnoreRules::ignored(const std::string& relative, bool directory) const {
  if (in_git_dir(relative)) {
    return true;
  }
  for (const auto& output : m_outputs) {
    if (under(relative, output)) {
      return true;
    }
  }
  if (!m_git) {
    return false;
  }
  // A trailing slash makes libgit2 apply directory-only patterns (`build/`) without a stat.
  const std::string path = m_prefix + relative + (directory ? "/" : "");
  int is_ignored = 0;
  return git_ignore_path_is_ignored(&is_ignored, m_git->repo.get(), path.c_str()) == 0 && is_ignored == 1;
}

std::string IgnoreRules::repository_path(const std::string& relative) const { return m_prefix + relative; }

}  // namespace pipeline::runner::watch
