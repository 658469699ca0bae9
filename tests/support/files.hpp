#pragma once
// Small file helpers for tests that write a repository and then search what pipe left in it.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace pipeline::test {

/// Writes `text` to `path`, creating its parent directories.
inline void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

/// The whole file as bytes; empty when it cannot be read.
inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Every regular file under `root` whose bytes contain `needle`.
inline std::vector<std::string> files_containing(const std::filesystem::path& root, const std::string& needle) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && read_file(entry.path()).find(needle) != std::string::npos) {
      out.push_back(entry.path().string());
    }
  }
  return out;
}

}  // namespace pipeline::test
