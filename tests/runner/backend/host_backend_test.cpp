// The host backend on the real filesystem: job directories, workspace copies, files, orphans.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "runner/backend/host_backend.hpp"

using namespace pipeline::runner;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

class Collect final : public OutputSink {
public:
  void write(Stream stream, std::string_view bytes) override { (stream == Stream::out ? out : err).append(bytes); }
  std::string out;
  std::string err;
};

struct TempDir {
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "pipe-test-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string path;
};

void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

int run_git(const std::string& dir, const std::string& args) {
  return std::system(("git -C '" + dir + "' " + args + " >/dev/null 2>&1").c_str());
}

}  // namespace

TEST_CASE("prepare_job creates per-job temp dirs and teardown removes them", "[host]") {
  TempDir root;
  HostBackend backend(root.path);
  JobSpec spec;
  spec.run_id = "r1";
  spec.job_id = "build";
  spec.workspace = root.path;
  auto env = backend.prepare_job(spec);
  REQUIRE(env.ok());
  CHECK(fs::is_directory(env->temp_dir));
  CHECK(fs::is_directory(env->tool_cache));
  CHECK(env->host_temp_dir == env->temp_dir);
  CHECK(env->workspace == root.path);
  CHECK_FALSE(env->in_container);
  CHECK(env->temp_dir.rfind(backend.run_dir("r1") + "/build-", 0) == 0);
  CHECK(env->has_bash == host_has_bash());

  auto second = backend.prepare_job(spec);
  REQUIRE(second.ok());
  CHECK(second->temp_dir != env->temp_dir);

  backend.teardown(*env);
  CHECK_FALSE(fs::exists(env->id));
  CHECK(fs::exists(backend.run_dir("r1")));
  backend.teardown(*second);
  CHECK_FALSE(fs::exists(backend.run_dir("r1")));
}

TEST_CASE("exec runs in the workspace by default", "[host]") {
  TempDir root;
  HostBackend backend(root.path);
  auto env = backend.prepare_job(JobSpec{.run_id = "r", .job_id = "j", .workspace = root.path});
  REQUIRE(env.ok());
  Collect sink;
  ExecSpec spec{.argv = {"/bin/sh", "-c", "pwd; echo $X"}, .env = {{"X", "y"}}};
  auto status = backend.exec(*env, spec, sink);
  REQUIRE(status.ok());
  CHECK(sink.out == root.path + "\ny\n");
  backend.teardown(*env);
}

TEST_CASE("files are written with parents and mode, and read back", "[host]") {
  TempDir root;
  HostBackend backend(root.path);
  auto env = backend.prepare_job(JobSpec{.run_id = "r", .job_id = "j", .workspace = root.path});
  REQUIRE(env.ok());
  std::string path = env->temp_dir + "/a/b/script.sh";
  REQUIRE(backend.write_file(*env, path, "echo hi\n", 0755).ok());
  CHECK((fs::status(path).permissions() & fs::perms::owner_exec) != fs::perms::none);
  auto text = backend.read_file(*env, path);
  REQUIRE(text.ok());
  CHECK(*text == "echo hi\n");
  auto missing = backend.read_file(*env, env->temp_dir + "/nope");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("cannot read '") == 0);
  backend.teardown(*env);
}

TEST_CASE("copy_workspace copies the files git knows and the repository, not ignored files", "[host]") {
  TempDir repo;
  TempDir root;
  REQUIRE(run_git(repo.path, "init -q") == 0);
  write_text(fs::path(repo.path) / "tracked.txt", "t");
  write_text(fs::path(repo.path) / "src/deep/file.c", "c");
  write_text(fs::path(repo.path) / ".gitignore", "ignored.txt\n");
  write_text(fs::path(repo.path) / "ignored.txt", "i");
  REQUIRE(run_git(repo.path, "add tracked.txt src .gitignore") == 0);
  write_text(fs::path(repo.path) / "new.txt", "n");

  HostBackend backend(root.path);
  JobSpec spec{.run_id = "r", .job_id = "j", .workspace = repo.path, .copy_workspace = true};
  auto env = backend.prepare_job(spec);
  REQUIRE(env.ok());
  fs::path ws = env->workspace;
  CHECK(ws.string().rfind(backend.run_dir("r"), 0) == 0);
  CHECK(fs::exists(ws / "tracked.txt"));
  CHECK(fs::exists(ws / "src/deep/file.c"));
  CHECK(fs::exists(ws / "new.txt"));
  CHECK_FALSE(fs::exists(ws / "ignored.txt"));
  CHECK(fs::exists(ws / ".git/HEAD"));
  CHECK(run_git(ws.string(), "ls-files --error-unmatch tracked.txt") == 0);
  backend.teardown(*env);
  CHECK_FALSE(fs::exists(ws));
  CHECK(fs::exists(fs::path(repo.path) / "tracked.txt"));
}

TEST_CASE("copy_workspace outside git copies everything but .git", "[host]") {
  TempDir dir;
  TempDir target;
  write_text(fs::path(dir.path) / "a/b.txt", "b");
  write_text(fs::path(dir.path) / ".git/config", "x");
  REQUIRE(copy_workspace_files(dir.path, target.path + "/ws").ok());
  CHECK(fs::exists(fs::path(target.path) / "ws/a/b.txt"));
  CHECK_FALSE(fs::exists(fs::path(target.path) / "ws/.git"));
}

TEST_CASE("teardown kills processes a job left running", "[host]") {
  TempDir root;
  HostBackend backend(root.path);
  auto env = backend.prepare_job(JobSpec{.run_id = "r", .job_id = "j", .workspace = root.path});
  REQUIRE(env.ok());
  Collect sink;
  ExecSpec spec{.argv = {"/bin/sh", "-c", "sleep 100 & echo $!"}, .env = {}};
  REQUIRE(backend.exec(*env, spec, sink).ok());
  int pid = std::stoi(sink.out);
  CHECK(::kill(pid, 0) == 0);
  backend.teardown(*env);
  bool dead = false;
  for (int i = 0; i < 100 && !dead; ++i) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    dead = text.empty() || text.find(") Z") != std::string::npos;
    std::this_thread::sleep_for(10ms);
  }
  CHECK(dead);
}
