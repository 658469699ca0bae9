#pragma once
// File changes under a directory tree through inotify: every directory watched, new ones as they
// appear, the files a new directory already holds reported as changed.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "runner/watch/file_events.hpp"
#include "workflow/base/result.hpp"

struct inotify_event;

namespace pipeline::runner::watch {

/// Whether a directory (relative to the root, never the root itself) is left unwatched.
using SkipDirectory = std::function<bool(const std::string& relative)>;

/// The inotify instance of one tree.
class InotifyEvents final : public FileEvents {
public:
  /// Watches `root` and each directory below it that `skip` keeps, without following symbolic links.
  [[nodiscard]] static Result<std::unique_ptr<InotifyEvents>> open(const std::filesystem::path& root, SkipDirectory skip);
  ~InotifyEvents() override;
  InotifyEvents(const InotifyEvents&) = delete;
  InotifyEvents& operator=(const InotifyEvents&) = delete;

  [[nodiscard]] int fd() const override { return m_fd; }
  [[nodiscard]] Changes read() override;
  /// Problems met since the last call (a directory over the watch limit), one sentence each.
  [[nodiscard]] std::vector<std::string> take_warnings();
  /// How many directories are watched.
  [[nodiscard]] std::size_t watched() const { return m_dirs.size(); }

private:
  InotifyEvents(int fd, std::filesystem::path root, SkipDirectory skip);
  void add_tree(const std::string& relative, std::vector<std::string>* found);
  void handle(const inotify_event& event, std::vector<std::string>& paths, bool& overflowed);

  int m_fd;
  std::filesystem::path m_root;
  SkipDirectory m_skip;
  std::unordered_map<int, std::string> m_dirs;  // watch descriptor -> directory relative to the root
  std::vector<std::string> m_warnings;
  bool m_limit_reported = false;
};

}  // namespace pipeline::runner::watch
