#pragma once
// Where watch mode learns that files changed: inotify on a real tree, a script in tests.
#include <string>
#include <vector>

namespace pipeline::runner::watch {

/// The changes read at once: paths relative to the watched root, '/'-separated.
struct Changes {
  std::vector<std::string> paths;
  bool overflowed = false;  // the kernel dropped events: which files changed is unknown
};

/// A source of file changes that poll(2) can wait on.
class FileEvents {
public:
  virtual ~FileEvents() = default;
  /// Readable when changes are waiting.
  [[nodiscard]] virtual int fd() const = 0;
  /// The changes waiting now; never blocks.
  [[nodiscard]] virtual Changes read() = 0;
};

}  // namespace pipeline::runner::watch
