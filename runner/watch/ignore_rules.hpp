#pragma once
// Which changed paths watch mode leaves alone: `.git/`, pipe's own outputs, and what git ignores.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace pipeline::runner::watch {

/// The ignore rules of one watched tree; paths are relative to its root, '/'-separated.
class IgnoreRules {
public:
  /// Rules for the tree at `root`: every `.git` and the root's `.pipe/` (run records), the paths
  /// in `outputs` (pipe's other outputs, relative to the root), and git's ignore rules
  /// (`.gitignore` files, `.git/info/exclude`, `core.excludesFile`) when `root` is in a repository.
  IgnoreRules(const std::filesystem::path& root, std::vector<std::string> outputs);
  ~IgnoreRules();
  IgnoreRules(const IgnoreRules&) = delete;
  IgnoreRules& operator=(const IgnoreRules&) = delete;

  /// Whether a change of `relative` is left alone; `directory` when it names a directory.
  [[nodiscard]] bool ignored(const std::string& relative, bool directory = false) const;
  /// `relative` as the repository names it (from its work tree's top), which path filters match.
  [[nodiscard]] std::string repository_path(const std::string& relative) const;

private:
  struct Git;
  std::unique_ptr<Git> m_git;  // null outside a repository
  std::string m_prefix;        // the root relative to the work tree, with a trailing '/', or empty
  std::vector<std::string> m_outputs;
};

/// `path` relative to `root` when it lies inside it, else empty.
[[nodiscard]] std::string relative_inside(const std::filesystem::path& root, const std::filesystem::path& path);

}  // namespace pipeline::runner::watch
