#pragma once
// The tasks a daemon has taken and not yet reported finished: one small file per task in a
// folder beside the registration file (`.runner.tasks/<pid>-<task id>.json`: the task id, the
// runner's name, the daemon's pid, when it was taken — never a secret). A daemon killed in the
// middle of a task leaves its file behind, and the next start reports that task failed, so the
// forge never shows a task running that no runner runs.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "runner/forge/client.hpp"

namespace pipeline::runner::forge {

/// A task a stopped daemon left unreported.
struct LeftoverTask {
  std::int64_t task_id = 0;
  std::filesystem::path file;
};

/// The per-task files of one registration.
class TaskLedger {
public:
  /// The ledger of the runner registered in `registration_file`.
  explicit TaskLedger(const std::filesystem::path& registration_file);

  /// Records that this process took `task_id`; a failure to write is returned, not thrown.
  [[nodiscard]] Result<void> taken(std::int64_t task_id, const std::string& runner_name) const;
  /// Removes the record of `task_id`, once its end reached the server.
  void finished(std::int64_t task_id) const;
  /// Tasks whose daemon has ended (its pid is gone, or it is this process, which has taken none
  /// yet when it asks: a restarted container reuses its pid).
  [[nodiscard]] std::vector<LeftoverTask> leftovers() const;

  /// The folder the files are in.
  [[nodiscard]] const std::filesystem::path& dir() const { return m_dir; }

private:
  std::filesystem::path m_dir;
};

/// Tells the server each leftover task failed: a last log row (after the rows it holds), the
/// end of the log, and RESULT_FAILURE. A file goes once the server took its task's end; one the
/// server could not be told about stays for the next start. Returns how many were reported.
std::size_t report_leftovers(const ForgeClient& client, const TaskLedger& ledger,
                             const std::function<void(const std::string&)>& log);

}  // namespace pipeline::runner::forge
