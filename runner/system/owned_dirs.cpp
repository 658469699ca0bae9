#include "runner/system/owned_dirs.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <system_error>

namespace pipeline::runner {
namespace {

namespace fs = std::filesystem;

/// The pid in `<prefix><pid>-...`, or 0 when the name has another shape.
pid_t owner_of(std::string_view name, std::string_view prefix) {
  if (name.substr(0, prefix.size()) != prefix) {
    return 0;
  }
  name.remove_prefix(prefix.size());
  const auto dash = name.find('-');
  if (dash == std::string_view::npos || dash == 0) {
    return 0;
  }
  pid_t pid = 0;
  const auto [end, error] = std::from_chars(name.data(), name.data() + dash, pid);
  return error == std::errc() && end == name.data() + dash && pid > 0 ? pid : 0;
}

bool alive(pid_t pid) {
  return pid == ::getpid() || ::kill(pid, 0) == 0 || errno == EPERM;
}

}  // namespace

std::string default_temp_root() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

std::string owned_prefix(std::string_view prefix) {
  return std::string(prefix) + std::to_string(::getpid()) + "-";
}

std::size_t remove_orphaned_dirs(const fs::path& root, std::string_view prefix, LiveOwners live) {
  std::size_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const pid_t owner = owner_of(entry.path().filename().string(), prefix);
    std::error_code type_error;
    if (owner == 0 || !entry.is_directory(type_error) || entry.is_symlink(type_error)) {
      continue;
    }
    if (live == LiveOwners::keep && alive(owner)) {
      continue;
    }
    std::error_code remove_error;
    if (fs::remove_all(entry.path(), remove_error) > 0 && !remove_error) {
      ++removed;
    }
  }
  return removed;
}

}  // namespace pipeline::runner
