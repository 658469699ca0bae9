#pragma once
// The record of one run on disk: .pipe/runs/<run-id>/{run.json,event.json,<job>.log}, `latest`.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "workflow/base/result.hpp"

namespace pipeline::runner::engine {

/// A run id that sorts by time: "YYYYMMDD-HHMMSS-<4 hex>" (UTC).
[[nodiscard]] std::string make_run_id(std::chrono::system_clock::time_point now, std::uint16_t random);

/// A fresh run id for now.
[[nodiscard]] std::string make_run_id();

/// True when `text` has the shape make_run_id produces.
[[nodiscard]] bool is_run_id(std::string_view text);

/// The log file name of a job: its name with unsafe characters replaced, plus ".log".
[[nodiscard]] std::string job_log_name(std::string_view job);

/// One run's directory and the files in it.
class RunRecord {
public:
  /// Creates `<runs_dir>/<run_id>/` (and `runs_dir`). When `runs_dir` is inside a `.pipe`
  /// directory, that directory gets a `.gitignore` of `*`, so git never lists (nor walks) records.
  [[nodiscard]] static Result<RunRecord> create(const std::string& runs_dir, const std::string& run_id);

  /// The run id.
  [[nodiscard]] const std::string& id() const { return m_id; }
  /// The run's directory.
  [[nodiscard]] const std::string& dir() const { return m_dir; }
  /// Where the log of `job` goes.
  [[nodiscard]] std::string job_log_path(std::string_view job) const;

  /// Writes run.json (plan, results, durations, annotations, as the engine built it).
  [[nodiscard]] Result<void> write_run_json(const nlohmann::json& run) const;
  /// Writes event.json (the event payload the run saw).
  [[nodiscard]] Result<void> write_event_json(const nlohmann::json& event) const;
  /// Writes any other file of the record (e.g. a step summary), replacing it atomically.
  [[nodiscard]] Result<void> write_file(const std::string& name, std::string_view content) const;
  /// Points `<runs_dir>/latest` at this run.
  [[nodiscard]] Result<void> mark_latest() const;

private:
  RunRecord(std::string runs_dir, std::string id, std::string dir)
      : m_runs_dir(std::move(runs_dir)), m_id(std::move(id)), m_dir(std::move(dir)) {}

  std::string m_runs_dir;
  std::string m_id;
  std::string m_dir;
};

/// A run found on disk.
struct RunInfo {
  std::string id;
  std::string dir;
  std::string result;  // run.json's "result" when it has one, else empty
  std::vector<std::string> logs;  // job log file names, sorted
};

/// The runs under `runs_dir`, newest first (none when it does not exist).
[[nodiscard]] Result<std::vector<RunInfo>> list_runs(const std::string& runs_dir);

/// How many runs `prune_runs` keeps by default.
inline constexpr std::size_t k_runs_kept = 50;

/// Removes all but the newest `keep` runs under `runs_dir` (the `latest` one always stays).
void prune_runs(const std::string& runs_dir, std::size_t keep = k_runs_kept);

/// The run `which` names: "latest" (or empty), an exact id, or a unique id prefix.
[[nodiscard]] Result<RunInfo> find_run(const std::string& runs_dir, std::string_view which);

}  // namespace pipeline::runner::engine
