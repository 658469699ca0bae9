#include "runner/watch/inotify_events.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <system_error>
#include <utility>

namespace pipeline::runner::watch {
namespace {

namespace fs = std::filesystem;

// IN_ATTRIB: `touch` and chmod count as changes, as git sees a mode change. IN_EXCL_UNLINK: a file
// deleted while a process still writes it stops reporting.
constexpr std::uint32_t k_mask = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM |
                                 IN_MOVED_TO | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK;

std::string join(const std::string& dir, const char* name) { return dir.empty() ? std::string(name) : dir + "/" + name; }

}  // namespace

Result<std::unique_ptr<InotifyEvents>> InotifyEvents::open(const fs::path& root, SkipDirectory skip) {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    return Error{std::string("cannot watch files: inotify: ") + std::strerror(errno)};
  }
  std::unique_ptr<InotifyEvents> events(new InotifyEvents(fd, root, std::move(skip)));
  events->add_tree("", nullptr);
  if (events->m_dirs.empty()) {
    return Error{"cannot watch " + root.string() + ": " + (events->m_warnings.empty() ? "" : events->m_warnings.front())};
  }
  return events;
}

InotifyEvents::InotifyEvents(int fd, fs::path root, SkipDirectory skip)
    : m_fd(fd), m_root(std::move(root)), m_skip(std::move(skip)) {}

InotifyEvents::~InotifyEvents() { ::close(m_fd); }

std::vector<std::string> InotifyEvents::take_warnings() { return std::exchange(m_warnings, {}); }

// The watch is added before the directory is listed: a file created in between shows up twice at
// worst, never not at all.
void InotifyEvents::add_tree(const std::string& relative, std::vector<std::string>* found) {
  const fs::path dir = relative.empty() ? m_root : m_root / relative;
  const int wd = ::inotify_add_watch(m_fd, dir.c_str(), k_mask);
  if (wd < 0) {
    if (errno == ENOSPC && !m_limit_reported) {
      m_limit_reported = true;
      m_warnings.push_back("the inotify watch limit (fs.inotify.max_user_watches) is reached: changes in " +
                           dir.string() + " and other directories are not seen");
    } else if (errno != ENOENT && errno != ENOTDIR && errno != ENOSPC) {
      m_warnings.push_back("cannot watch " + dir.string() + ": " + std::strerror(errno));
    }
    return;
  }
  m_dirs[wd] = relative;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string child = join(relative, it->path().filename().c_str());
    std::error_code type_ec;
    if (it->is_directory(type_ec) && !it->is_symlink(type_ec)) {
      if (!m_skip(child)) {
        add_tree(child, found);
      }
    } else if (found != nullptr) {
      found->push_back(child);
    }
  }
}

void InotifyEvents::handle(const inotify_event& event, std::vector<std::string>& paths, bool& overflowed) {
  if ((event.mask & IN_Q_OVERFLOW) != 0) {
    overflowed = true;
    add_tree("", nullptr);  // directories created among the lost events get their watches
    return;
  }
  const auto dir = m_dirs.find(event.wd);
  if (dir == m_dirs.end()) {
    return;
  }
  if ((event.mask & IN_IGNORED) != 0) {
    m_dirs.erase(dir);
    return;
  }
  if (event.len == 0 || event.name[0] == '\0') {
    return;  // the directory itself; its parent reports it
  }
  const std::string path = join(dir->second, event.name);
  if ((event.mask & IN_ISDIR) != 0) {
    if ((event.mask & (IN_CREATE | IN_MOVED_TO)) != 0 && !m_skip(path)) {
      add_tree(path, &paths);
    } else if ((event.mask & (IN_DELETE | IN_MOVED_FROM)) != 0) {
      paths.push_back(path);
    }
    return;
  }
  paths.push_back(path);
}

Changes InotifyEvents::read() {
  std::vector<std::string> paths;
  bool overflowed = false;
  alignas(inotify_event) char buffer[16384];
  while (true) {
    const ssize_t n = ::read(m_fd, buffer, sizeof buffer);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) {
        continue;
      }
      break;  // EAGAIN: nothing more waits
    }
    for (ssize_t offset = 0; offset < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + offset);
      handle(*event, paths, overflowed);
      offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
  }
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  return {std::move(paths), overflowed};
}

}  // namespace pipeline::runner::watch
