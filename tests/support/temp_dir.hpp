#pragma once
// A scratch directory for one test, removed with everything in it when the test ends.
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace pipeline::test {

/// A fresh `<parent>/pipe-<name>-XXXXXX` (parent: the temp dir), removed (contents included) on destruction.
struct TempDir {
  explicit TempDir(const std::string& name,
                   const std::filesystem::path& parent = std::filesystem::temp_directory_path()) {
    std::string pattern = (parent / ("pipe-" + name + "-XXXXXX")).string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::filesystem::path path;
};

}  // namespace pipeline::test
