#pragma once
// `pipe logs --json`: a recorded run's events in the schema `pipe run --json` streams, read back
// from the job logs and the record's events.jsonl (see JobLogSink).
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace pipeline::runner::engine {

/// The events of a run record's events.jsonl, in order; none when the file is missing (a record
/// made before it existed) or a line is not JSON.
[[nodiscard]] std::vector<nlohmann::json> read_recorded_events(const std::string& run_dir);

/// The job whose log file is `log_name` (job_log_name of it) among the recorded events; empty when
/// none names it.
[[nodiscard]] std::string job_of_log(const std::vector<nlohmann::json>& recorded, std::string_view log_name);

/// The events of `job`, one JSON text each: its recorded events with the output lines of its
/// `log` (the job's log file) put back between them, as `output` events of the step running then.
/// `log_offset` is left out: the objects are what `pipe run --json` printed, less `stream`.
[[nodiscard]] std::vector<std::string> job_log_events(std::string_view log, const std::string& job,
                                                      const std::vector<nlohmann::json>& recorded);

/// The recorded events that belong to no job (pipe's notices about the run), one JSON text each.
[[nodiscard]] std::vector<std::string> run_events(const std::vector<nlohmann::json>& recorded);

}  // namespace pipeline::runner::engine
