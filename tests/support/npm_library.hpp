#pragma once
// Where .ci/setup installs the npm client libraries that tests drive pipe's services with: outside
// the repository, in ~/.cache/pipe-test/<folder>, or where an environment variable says.
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <string>

namespace pipeline::test {

/// `$variable`, else `$HOME/.cache/pipe-test/<folder>`, when each of `markers` (paths under it)
/// exists; else empty, with why (naming `library`) in `why` for the test's SKIP or WARN.
inline std::string npm_library(const char* variable, const std::string& folder,
                               std::initializer_list<const char*> markers, const std::string& library,
                               std::string& why) {
  const char* set = std::getenv(variable);
  const char* home = std::getenv("HOME");
  const std::string dir = set ? set : std::string(home ? home : "") + "/.cache/pipe-test/" + folder;
  for (const char* marker : markers) {
    if (!std::filesystem::exists(std::filesystem::path(dir) / marker)) {
      why = "skipped: " + library + " is not installed in " + dir + " (.ci/setup installs it)";
      return {};
    }
  }
  return dir;
}

}  // namespace pipeline::test
