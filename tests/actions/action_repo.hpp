#pragma once
// Builds throw-away git repositories served as `file://` action sources for the action tests.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace pipeline::test {

/// A temporary directory with a `repos/` base (the --actions-url) and a `cache/` directory.
struct ActionSandbox {
  std::filesystem::path root;

  explicit ActionSandbox(const std::string& tag) {
    static int sequence = 0;
    root = std::filesystem::temp_directory_path() /
           ("pipe-actions-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(++sequence));
    std::filesystem::remove_all(root);
    std::filesystem::create_directories(root / "repos");
    std::filesystem::create_directories(root / "cache");
  }
  ~ActionSandbox() { std::filesystem::remove_all(root); }
  ActionSandbox(const ActionSandbox&) = delete;
  ActionSandbox& operator=(const ActionSandbox&) = delete;

  [[nodiscard]] std::string base_url() const { return "file://" + (root / "repos").string() + "/"; }
  [[nodiscard]] std::string cache() const { return (root / "cache").string(); }

  /// git with an identity and `main` as the first branch, for commits made by tests.
  static constexpr const char* k_git = "git -c user.name=pipe -c user.email=pipe@example.com -c init.defaultBranch=main ";

  /// Runs a shell command in `dir`; true when it exits 0.
  static bool sh(const std::filesystem::path& dir, const std::string& command) {
    const std::string line = "cd '" + dir.string() + "' && " + command + " >/dev/null 2>&1";
    return std::system(line.c_str()) == 0;
  }

  /// Publishes the files of `source` as bare repository `owner/repo`: one commit on `main`,
  /// tagged `tag` (annotated); returns the commit SHA.
  std::string publish(const std::string& owner_repo, const std::filesystem::path& source, const std::string& tag) {
    const auto work = root / "work" / owner_repo;
    std::filesystem::remove_all(work);
    std::filesystem::create_directories(work);
    std::filesystem::copy(source, work, std::filesystem::copy_options::recursive);
    const auto bare = root / "repos" / owner_repo;
    std::filesystem::create_directories(bare.parent_path());
    const std::string git = k_git;
    sh(work, git + "init -q . && " + git + "add -A && " + git + "commit -q -m init && " + git + "tag -a -m " +
                 tag + " " + tag);
    sh(root, git + "clone -q --bare '" + work.string() + "' '" + bare.string() + "'");
    const std::string command = "git -C '" + work.string() + "' rev-parse HEAD";
    FILE* pipe = ::popen(command.c_str(), "r");
    char buffer[64] = {};
    const bool read = pipe && std::fgets(buffer, sizeof buffer, pipe) != nullptr;
    if (pipe) {
      ::pclose(pipe);
    }
    std::string sha = read ? buffer : "";
    while (!sha.empty() && (sha.back() == '\n' || sha.back() == '\r')) {
      sha.pop_back();
    }
    return sha;
  }

  /// Writes `text` into `path` (creating directories).
  static void write(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }
};

}  // namespace pipeline::test
