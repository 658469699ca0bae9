#pragma once
// A real git repository in a temporary directory, driven through the git CLI and the real pipe.
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/run_process.hpp"

namespace pipeline::test {

/// A fresh repository with a committer, removed when the test ends.
class TempRepo {
public:
  TempRepo() {
    std::string pattern = std::filesystem::temp_directory_path().string() + "/pipe-hook-test-XXXXXX";
    m_dir = ::mkdtemp(pattern.data());
    sh("git init -q -b main && git config user.email t@example.com && git config user.name Tester && "
       "git config commit.gpgsign false");
  }
  ~TempRepo() {
    std::error_code ec;
    std::filesystem::remove_all(m_dir, ec);
  }
  TempRepo(const TempRepo&) = delete;
  TempRepo& operator=(const TempRepo&) = delete;

  [[nodiscard]] const std::string& dir() const { return m_dir; }

  /// Runs `command` with sh in the repository, without any CI variables of the test's own
  /// environment; PIPE names the binary under test.
  ProcessResult sh(const std::string& command, const std::string& input = "") const {
    const std::string prefix = "unset CI GITHUB_ACTIONS GITHUB_STEP_SUMMARY PIPE_SKIP; export PIPE='" PIPE_EXE "'; ";
    return run_process({"/bin/sh", "-c", prefix + command}, m_dir, input);
  }

  /// Writes `text` to `path` (relative to the repository), creating directories.
  void write(const std::string& path, const std::string& text) const {
    const auto full = std::filesystem::path(m_dir) / path;
    std::filesystem::create_directories(full.parent_path());
    std::ofstream(full, std::ios::binary | std::ios::trunc) << text;
  }

  /// The text of `path` (relative to the repository).
  [[nodiscard]] std::string read(const std::string& path) const {
    std::ifstream in(std::filesystem::path(m_dir) / path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  /// How many commits HEAD has.
  [[nodiscard]] int commit_count() const {
    const auto r = sh("git rev-list --count HEAD 2>/dev/null || echo 0");
    return std::stoi(r.out);
  }

private:
  std::string m_dir;
};

/// A workflow whose `lint` job fails when a file under src/ contains BAD, run only for src/ changes.
inline constexpr const char* k_lint_workflow = R"(on:
  push:
    paths: ['src/**']
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - name: no BAD in src
        run: |
          if grep -rn BAD src; then echo "lint: BAD found"; exit 1; fi
          echo clean
)";

}  // namespace pipeline::test
