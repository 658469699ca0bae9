#include "runner/backend/host_backend.hpp"
#include "runner/system/owned_dirs.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "runner/backend/process.hpp"

extern char** environ;

namespace pipeline::runner {
namespace fs = std::filesystem;
namespace {

// Orphans get little time: the job is over and teardown must not drag.
constexpr std::chrono::milliseconds k_orphan_grace{200};

std::vector<std::pair<std::string, std::string>> inherited_env() {
  std::vector<std::pair<std::string, std::string>> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    auto eq = text.find('=');
    if (eq != std::string_view::npos) {
      env.emplace_back(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
    }
  }
  return env;
}

std::string file_name_part(const std::string& text) {
  std::string out;
  for (char c : text) {
    bool plain = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
    out += plain ? c : '_';
  }
  return out.empty() ? std::string("job") : out;
}

Result<std::string> make_job_dir(const std::string& run_dir, const std::string& job_id) {
  // Another job's teardown removes the run dir once it is empty, so it can vanish between
  // creating it and making our job dir inside it: create and retry until the job dir exists.
  for (int attempt = 0;; ++attempt) {
    std::error_code ec;
    fs::create_directories(run_dir, ec);
    if (ec) {
      return Error{"cannot create '" + run_dir + "': " + ec.message()};
    }
    std::string pattern = run_dir + "/" + file_name_part(job_id) + "-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) {
      return pattern;
    }
    if (errno != ENOENT || attempt == 100) {
      return Error{"cannot create a directory under '" + run_dir + "': " + std::strerror(errno)};
    }
  }
}

Result<std::string> git_output(const std::string& dir, std::vector<std::string> args) {
  ExecSpec spec;
  spec.argv = {"git", "-C", dir};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = inherited_env();
  CollectSink sink;
  auto status = run_process(spec, sink);
  if (!status) {
    return status.error();
  }
  if (status->code != 0) {
    return Error{"git " + args.front() + " failed in '" + dir + "': " + sink.err};
  }
  return std::move(sink.out);
}

Result<void> copy_entry(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  auto status = fs::symlink_status(from, ec);
  if (ec || !fs::exists(status)) {
    return {};  // listed by git but deleted in the work tree: a fresh copy has it deleted too
  }
  fs::create_directories(to.parent_path(), ec);
  if (fs::is_symlink(status)) {
    fs::copy_symlink(from, to, ec);
  } else if (fs::is_directory(status)) {
    fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  } else {
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  }
  if (ec) {
    return Error{"cannot copy '" + from.string() + "': " + ec.message()};
  }
  return {};
}

Result<void> copy_git_files(const std::string& source, const std::string& target) {
  auto listing = git_output(source, {"ls-files", "-z", "--cached", "--others", "--exclude-standard"});
  if (!listing) {
    return listing.error();
  }
  std::set<std::string> seen;
  std::istringstream names(*listing);
  std::string name;
  while (std::getline(names, name, '\0')) {
    if (name.empty() || !seen.insert(name).second) {
      continue;
    }
    if (auto copied = copy_entry(fs::path(source) / name, fs::path(target) / name); !copied) {
      return copied;
    }
  }
  // The repository comes along, as in a container's copy, so steps can run git. A `.git` file
  // (a linked worktree or submodule) points into the user's repository: sharing its index
  // would let a step change the user's tree, so such a copy has no repository.
  std::error_code ec;
  if (fs::is_directory(fs::symlink_status(fs::path(source) / ".git", ec))) {
    return copy_entry(fs::path(source) / ".git", fs::path(target) / ".git");
  }
  return {};
}

Result<void> copy_plain_tree(const std::string& source, const std::string& target) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(source, ec)) {
    if (entry.path().filename() == ".git") {
      continue;
    }
    if (auto copied = copy_entry(entry.path(), fs::path(target) / entry.path().filename()); !copied) {
      return copied;
    }
  }
  if (ec) {
    return Error{"cannot read '" + source + "': " + ec.message()};
  }
  return {};
}

bool is_git_work_tree(const std::string& dir) {
  auto answer = git_output(dir, {"rev-parse", "--is-inside-work-tree"});
  return answer && answer->rfind("true", 0) == 0;
}

/// Remembers the process group of each exec so teardown can clean up what it left behind.
class GroupRecorder final : public SpawnObserver {
public:
  explicit GroupRecorder(std::function<void(int)> record) : m_record(std::move(record)) {}
  void spawned(int pid) override { m_record(pid); }

private:
  std::function<void(int)> m_record;
};

}  // namespace

bool host_has_bash() {
  const char* path = std::getenv("PATH");
  return find_program("bash", path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin").has_value();
}

Result<void> copy_workspace_files(const std::string& source, const std::string& target) {
  std::error_code ec;
  fs::create_directories(target, ec);
  if (ec) {
    return Error{"cannot create '" + target + "': " + ec.message()};
  }
  if (is_git_work_tree(source)) {
    return copy_git_files(source, target);
  }
  return copy_plain_tree(source, target);
}

HostBackend::HostBackend(std::string run_root) : m_run_root(std::move(run_root)) {
  if (m_run_root.empty()) {
    m_run_root = default_temp_root();
  }
  // Job directories of runs whose pipe was killed; one listing of the temp directory.
  (void)remove_orphaned_dirs(m_run_root, k_run_dir_prefix, LiveOwners::keep);
}

std::string HostBackend::run_dir(const std::string& run_id) const {
  return m_run_root + "/" + owned_prefix(k_run_dir_prefix) + file_name_part(run_id);
}

Result<JobEnv> HostBackend::prepare_job(const JobSpec& spec) {
  auto job_dir = make_job_dir(run_dir(spec.run_id), spec.job_id);
  if (!job_dir) {
    return job_dir.error();
  }
  JobEnv env;
  env.id = *job_dir;
  env.temp_dir = *job_dir + "/temp";
  env.tool_cache = *job_dir + "/tool_cache";
  env.host_temp_dir = env.temp_dir;
  env.in_container = false;
  env.has_bash = host_has_bash();
  std::error_code ec;
  fs::create_directories(env.temp_dir, ec);
  fs::create_directories(env.tool_cache, ec);
  if (ec) {
    teardown(env);
    return Error{"cannot create the job directories under '" + *job_dir + "': " + ec.message()};
  }
  env.workspace = fs::absolute(spec.workspace.empty() ? fs::current_path() : fs::path(spec.workspace)).string();
  if (spec.copy_workspace) {
    std::string copy = *job_dir + "/workspace";
    if (auto copied = copy_workspace_files(env.workspace, copy); !copied) {
      teardown(env);
      return copied.error();
    }
    env.workspace = copy;
  }
  return env;
}

void HostBackend::remember_group(const std::string& job, int pgid) {
  std::lock_guard lock(m_mutex);
  m_groups[job].insert(pgid);
}

Result<ExitStatus> HostBackend::exec(const JobEnv& env, const ExecSpec& spec, OutputSink& sink) {
  ExecSpec actual = spec;
  if (actual.cwd.empty()) {
    actual.cwd = env.workspace;
  }
  GroupRecorder recorder([this, &env](int pgid) { remember_group(env.id, pgid); });
  return run_process(actual, sink, &recorder);
}

Result<std::string> HostBackend::read_file(const JobEnv& /*env*/, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error{"cannot read '" + path + "': " + std::strerror(errno)};
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

Result<void> HostBackend::write_file(const JobEnv& /*env*/, const std::string& path, std::string_view content,
                                     int mode) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    return Error{"cannot write '" + path + "': " + std::strerror(errno)};
  }
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out || ::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) {
    return Error{"cannot write '" + path + "': " + std::strerror(errno)};
  }
  return {};
}

void HostBackend::teardown(const JobEnv& env) {
  std::set<int> groups;
  {
    std::lock_guard lock(m_mutex);
    groups = std::move(m_groups[env.id]);
    m_groups.erase(env.id);
  }
  for (int pgid : groups) {
    kill_process_group(pgid, k_orphan_grace);
  }
  if (env.id.empty()) {
    return;
  }
  std::error_code ec;
  fs::remove_all(env.id, ec);
  fs::remove(fs::path(env.id).parent_path(), ec);  // only succeeds once the run's last job is gone
}

}  // namespace pipeline::runner
