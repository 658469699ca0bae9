#pragma once
// The runner.v1 messages pipe exchanges with a Gitea or Forgejo Actions server, in Connect's
// JSON encoding (proto3 JSON: camelCase names, 64-bit integers as strings, enums by name,
// timestamps as RFC 3339, bytes as base64). Readers accept the proto field names too.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "workflow/base/result.hpp"

namespace pipeline::runner::forge {

using Clock = std::chrono::system_clock;
using StringMap = std::map<std::string, std::string>;

/// runner.v1.Result: how a task or one of its steps ended.
enum class TaskResult { unspecified, success, failure, cancelled, skipped };

/// "RESULT_SUCCESS", ... as proto3 JSON names the enum values.
[[nodiscard]] std::string to_proto_name(TaskResult result);

/// "success", "failure", ... as a `needs` context holds them; "" for unspecified.
[[nodiscard]] std::string to_context_word(TaskResult result);

/// A Result from its JSON form: a name ("RESULT_FAILURE") or its number.
[[nodiscard]] TaskResult parse_result(const nlohmann::json& value);

/// runner.v1.Runner: what the server knows of a registered runner.
struct RunnerInfo {
  std::int64_t id = 0;
  std::string uuid;
  std::string token;
  std::string name;
  std::vector<std::string> labels;
};

/// runner.v1.TaskNeed: a finished job the task's job needs.
struct TaskNeed {
  StringMap outputs;
  TaskResult result = TaskResult::unspecified;
};

/// runner.v1.Task: one job to run.
struct Task {
  std::int64_t id = 0;
  std::string workflow_payload;  // the workflow YAML with exactly one job
  nlohmann::json context;        // the `github` context, plus gitea_* entries
  StringMap secrets;
  StringMap vars;
  std::map<std::string, TaskNeed> needs;
};

/// runner.v1.StepState.
struct StepState {
  std::int64_t id = 0;
  TaskResult result = TaskResult::unspecified;
  std::optional<Clock::time_point> started_at;
  std::optional<Clock::time_point> stopped_at;
  std::int64_t log_index = 0;
  std::int64_t log_length = 0;
};

/// runner.v1.TaskState.
struct TaskState {
  std::int64_t id = 0;
  TaskResult result = TaskResult::unspecified;
  std::optional<Clock::time_point> started_at;
  std::optional<Clock::time_point> stopped_at;
  std::vector<StepState> steps;
};

/// runner.v1.LogRow.
struct LogRow {
  Clock::time_point time;
  std::string content;
};

/// FetchTaskResponse: a task when one was waiting, and the server's tasks version.
struct FetchAnswer {
  std::optional<Task> task;
  std::int64_t tasks_version = 0;
};

/// UpdateTaskResponse: the state the server holds (CANCELLED when the job was cancelled) and
/// the outputs it has stored.
struct UpdateTaskAnswer {
  TaskResult server_result = TaskResult::unspecified;
  std::vector<std::string> sent_outputs;
};

/// RFC 3339 with nanoseconds in UTC, as protobuf's Timestamp JSON form.
[[nodiscard]] std::string format_timestamp(Clock::time_point time);

/// Standard base64 (padding optional); an error on any other character.
[[nodiscard]] Result<std::string> base64_decode(std::string_view text);

/// RegisterRequest.
[[nodiscard]] nlohmann::json register_request(const std::string& name, const std::string& token,
                                              const std::string& version, const std::vector<std::string>& labels);
/// DeclareRequest.
[[nodiscard]] nlohmann::json declare_request(const std::string& version, const std::vector<std::string>& labels);
/// FetchTaskRequest.
[[nodiscard]] nlohmann::json fetch_request(std::int64_t tasks_version);
/// UpdateTaskRequest: the state and the outputs not yet sent.
[[nodiscard]] nlohmann::json update_task_request(const TaskState& state, const StringMap& outputs);
/// UpdateLogRequest: rows starting at `index`.
[[nodiscard]] nlohmann::json update_log_request(std::int64_t task_id, std::int64_t index,
                                                const std::vector<LogRow>& rows, bool no_more);

/// The `runner` of a RegisterResponse or DeclareResponse.
[[nodiscard]] Result<RunnerInfo> parse_runner_answer(const nlohmann::json& body);
/// A FetchTaskResponse.
[[nodiscard]] Result<FetchAnswer> parse_fetch_answer(const nlohmann::json& body);
/// An UpdateTaskResponse.
[[nodiscard]] Result<UpdateTaskAnswer> parse_update_task_answer(const nlohmann::json& body);
/// The ack_index of an UpdateLogResponse.
[[nodiscard]] Result<std::int64_t> parse_ack_index(const nlohmann::json& body);
/// A Task (exposed for the stand-in's tests).
[[nodiscard]] Result<Task> parse_task(const nlohmann::json& body);

}  // namespace pipeline::runner::forge
