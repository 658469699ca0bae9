#pragma once
// Runs jobs directly on this machine, like a GitHub-hosted VM without the VM.
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "runner/backend/backend.hpp"

namespace pipeline::runner {

/// Where a host job's workspace comes from.
enum class WorkspaceCopy { bind, fresh_copy };

/// The Backend for jobs without `container:`: processes on the host, files on the host fs.
class HostBackend final : public Backend {
public:
  /// `run_root` holds one `pipe-<run_id>` directory per run (default: $TMPDIR or /tmp).
  explicit HostBackend(std::string run_root = {});

  [[nodiscard]] std::string name() const override { return "host"; }
  [[nodiscard]] Result<JobEnv> prepare_job(const JobSpec& spec) override;
  [[nodiscard]] Result<ExitStatus> exec(const JobEnv& env, const ExecSpec& spec, OutputSink& sink) override;
  [[nodiscard]] Result<std::string> read_file(const JobEnv& env, const std::string& path) override;
  [[nodiscard]] Result<void> write_file(const JobEnv& env, const std::string& path, std::string_view content,
                                        int mode = 0644) override;
  /// Kills processes the job left running (like GitHub's orphan cleanup) and removes its dirs.
  void teardown(const JobEnv& env) override;

  /// The run directory of `run_id` under this backend's root.
  [[nodiscard]] std::string run_dir(const std::string& run_id) const;

private:
  void remember_group(const std::string& job, int pgid);

  std::string m_run_root;
  std::mutex m_mutex;
  std::map<std::string, std::set<int>> m_groups;  // job handle -> process groups it started
};

/// True when `bash` is found on this process's PATH.
[[nodiscard]] bool host_has_bash();

/// Copies the files of `source` into `target`: `git ls-files` (tracked and untracked, not
/// ignored) when it is a git work tree, else everything except `.git`.
[[nodiscard]] Result<void> copy_workspace_files(const std::string& source, const std::string& target);

}  // namespace pipeline::runner
