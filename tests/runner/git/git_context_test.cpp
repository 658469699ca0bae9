#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "runner/git/git_context.hpp"

namespace fs = std::filesystem;
using namespace pipeline::runner::git;
using Paths = std::vector<std::string>;

namespace {

// A fresh directory under the system temp dir, removed when the test ends.
class TempDir {
public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "pipe-git-XXXXXX").string();
    m_path = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(m_path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return m_path; }

private:
  fs::path m_path;
};

void run_git(const fs::path& dir, const std::string& args) {
  const std::string command = "cd '" + dir.string() + "' && GIT_CONFIG_NOSYSTEM=1 " +
                              "GIT_AUTHOR_DATE='2024-05-01T10:00:00+02:00' " +
                              "GIT_COMMITTER_DATE='2024-05-01T10:00:00+02:00' git " + args +
                              " >/dev/null 2>&1";
  INFO(command);
  REQUIRE(std::system(command.c_str()) == 0);
}

void write_file(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

// A repository on branch main with user config and an origin remote.
void init_repo(const fs::path& dir) {
  run_git(dir, "init -q -b main");
  run_git(dir, "config user.name 'Mona Lisa'");
  run_git(dir, "config user.email mona@example.com");
  run_git(dir, "remote add origin https://github.com/octo-org/hello-world.git");
}

void commit_all(const fs::path& dir, const std::string& message) {
  run_git(dir, "add -A");
  run_git(dir, "commit -q -m '" + message + "'");
}

}  // namespace

TEST_CASE("git: remote URLs", "[git]") {
  struct Case {
    std::string url;
    std::string owner;
    std::string name;
  };
  const std::vector<Case> cases = {
      {"https://github.com/octo/hello.git", "octo", "hello"},
      {"https://github.com/octo/hello", "octo", "hello"},
      {"https://github.com/octo/hello/", "octo", "hello"},
      {"https://user:token@github.example.com:8443/octo/hello.git", "octo", "hello"},
      {"git@github.com:octo/hello.git", "octo", "hello"},
      {"git@github.com:octo/hello", "octo", "hello"},
      {"ssh://git@github.com/octo/hello.git", "octo", "hello"},
      {"ssh://git@github.com:2222/octo/hello", "octo", "hello"},
      {"git://github.com/octo/hello.git", "octo", "hello"},
      {"https://gitlab.com/group/sub/hello.git", "sub", "hello"},
  };
  for (const auto& c : cases) {
    INFO(c.url);
    const auto name = parse_remote_url(c.url);
    REQUIRE(name.has_value());
    CHECK(name->owner == c.owner);
    CHECK(name->name == c.name);
  }
  for (const char* bad : {"", "https://github.com/", "https://github.com/hello", "/srv/octo/repo.git", "file:///srv/octo/repo.git", "hello"}) {
    INFO(bad);
    CHECK_FALSE(parse_remote_url(bad).has_value());
  }
}

TEST_CASE("git: a directory outside any repository", "[git]") {
  TempDir dir;
  auto info = read_repository(dir.path());
  REQUIRE(info.ok());
  CHECK_FALSE(info->is_repository);
  CHECK(info->sha.empty());
  CHECK(info->ref.empty());
  CHECK(info->repository.empty());
  CHECK(info->workspace.empty());
  auto changed = changed_files_for_push(dir.path());
  REQUIRE_FALSE(changed.ok());
  CHECK(changed.error().message == dir.path().string() + " is not inside a git repository");
}

TEST_CASE("git: a repository before its first commit", "[git]") {
  TempDir dir;
  init_repo(dir.path());
  auto info = read_repository(dir.path());
  REQUIRE(info.ok());
  CHECK(info->is_repository);
  CHECK(info->sha.empty());
  CHECK(info->ref == "refs/heads/main");
  CHECK(info->ref_type == "branch");
  CHECK(info->repository == "octo-org/hello-world");
  CHECK(changed_files_for_push(dir.path()).value().empty());
  CHECK_FALSE(read_head_commit(dir.path()).ok());
}

TEST_CASE("git: branch, tag, owner, actor and workspace", "[git]") {
  TempDir dir;
  init_repo(dir.path());
  write_file(dir.path() / "README.md", "hello\n");
  write_file(dir.path() / "src/main.cpp", "int main() {}\n");
  commit_all(dir.path(), "first");
  run_git(dir.path(), "checkout -q -b feature/x");

  auto info = read_repository(dir.path() / "src");  // found by searching upwards
  REQUIRE(info.ok());
  CHECK(info->sha.size() == 40);
  CHECK(info->ref == "refs/heads/feature/x");
  CHECK(info->ref_name == "feature/x");
  CHECK(info->ref_type == "branch");
  CHECK(info->repository == "octo-org/hello-world");
  CHECK(info->repository_owner == "octo-org");
  CHECK(info->remote_url == "https://github.com/octo-org/hello-world.git");
  CHECK(info->actor == "Mona Lisa");
  CHECK(info->actor_email == "mona@example.com");
  CHECK(fs::equivalent(info->workspace, dir.path()));
  CHECK(info->default_branch == "main");

  run_git(dir.path(), "tag -a v1.0.0 -m release");
  run_git(dir.path(), "checkout -q --detach v1.0.0");
  auto tagged = read_repository(dir.path());
  REQUIRE(tagged.ok());
  CHECK(tagged->ref == "refs/tags/v1.0.0");
  CHECK(tagged->ref_name == "v1.0.0");
  CHECK(tagged->ref_type == "tag");
  CHECK(tagged->sha == info->sha);

  write_file(dir.path() / "more.txt", "x\n");
  commit_all(dir.path(), "detached, untagged");
  auto detached = read_repository(dir.path());
  REQUIRE(detached.ok());
  CHECK(detached->ref.empty());
  CHECK(detached->ref_type.empty());
  CHECK(detached->sha != info->sha);
}

TEST_CASE("git: changed files of HEAD", "[git]") {
  TempDir dir;
  init_repo(dir.path());
  write_file(dir.path() / "README.md", "hello\n");
  write_file(dir.path() / "src/a.cpp", "a\n");
  write_file(dir.path() / "src/b.cpp", "b\n");
  commit_all(dir.path(), "root");
  CHECK(changed_files_for_push(dir.path()).value() == Paths{"README.md", "src/a.cpp", "src/b.cpp"});

  write_file(dir.path() / "src/a.cpp", "a2\n");
  fs::remove(dir.path() / "src/b.cpp");
  write_file(dir.path() / "docs/new.md", "new\n");
  commit_all(dir.path(), "second");
  CHECK(changed_files_for_push(dir.path()).value() == Paths{"docs/new.md", "src/a.cpp", "src/b.cpp"});
}

TEST_CASE("git: uncommitted changes", "[git]") {
  TempDir dir;
  init_repo(dir.path());
  write_file(dir.path() / ".gitignore", "build/\n");
  write_file(dir.path() / "a.txt", "a\n");
  write_file(dir.path() / "b.txt", "b\n");
  write_file(dir.path() / "c.txt", "c\n");
  commit_all(dir.path(), "root");
  CHECK(uncommitted_changes(dir.path()).value().empty());

  write_file(dir.path() / "a.txt", "changed in the work tree\n");
  write_file(dir.path() / "b.txt", "staged\n");
  run_git(dir.path(), "add b.txt");
  fs::remove(dir.path() / "c.txt");
  write_file(dir.path() / "new/deep/file.txt", "untracked\n");
  write_file(dir.path() / "build/out.o", "ignored\n");
  CHECK(uncommitted_changes(dir.path()).value() == Paths{"a.txt", "b.txt", "c.txt", "new/deep/file.txt"});
}

TEST_CASE("git: push event payload", "[git]") {
  TempDir dir;
  init_repo(dir.path());
  write_file(dir.path() / "a.txt", "a\n");
  commit_all(dir.path(), "root");
  write_file(dir.path() / "a.txt", "b\n");
  commit_all(dir.path(), "Fix the thing");

  auto repo = read_repository(dir.path());
  auto head = read_head_commit(dir.path());
  REQUIRE(repo.ok());
  REQUIRE(head.ok());
  CHECK(head->timestamp == "2024-05-01T10:00:00+02:00");
  CHECK(head->author_name == "Mona Lisa");
  CHECK(head->parent_sha.size() == 40);

  const auto event = synthesize_push_event(*repo, *head);
  CHECK(event["ref"] == "refs/heads/main");
  CHECK(event["after"] == repo->sha);
  CHECK(event["before"] == head->parent_sha);
  CHECK(event["created"] == false);
  CHECK(event["deleted"] == false);
  CHECK(event["forced"] == false);
  CHECK(event["repository"]["full_name"] == "octo-org/hello-world");
  CHECK(event["repository"]["name"] == "hello-world");
  CHECK(event["repository"]["owner"]["login"] == "octo-org");
  CHECK(event["head_commit"]["id"] == repo->sha);
  CHECK(event["head_commit"]["message"] == "Fix the thing");
  CHECK(event["head_commit"]["timestamp"] == "2024-05-01T10:00:00+02:00");
  CHECK(event["head_commit"]["author"]["email"] == "mona@example.com");
  CHECK(event["commits"].size() == 1);
  CHECK(event["pusher"]["name"] == "Mona Lisa");
  CHECK(event["sender"]["login"] == "Mona Lisa");

  CommitInfo root = *head;
  root.parent_sha.clear();
  const auto created = synthesize_push_event(*repo, root);
  CHECK(created["before"] == std::string(40, '0'));
  CHECK(created["created"] == true);
}
