#include "runner/forge/messages.hpp"

#include <array>
#include <ctime>
#include <stdexcept>

namespace pipeline::runner::forge {

using json = nlohmann::json;

namespace {

constexpr std::array<const char*, 5> k_result_names = {"RESULT_UNSPECIFIED", "RESULT_SUCCESS", "RESULT_FAILURE",
                                                       "RESULT_CANCELLED", "RESULT_SKIPPED"};

/// A field by its proto3 JSON name or, as proto3 JSON readers must accept, its proto name.
const json* field(const json& object, const char* camel, const char* snake) {
  if (!object.is_object()) {
    return nullptr;
  }
  if (auto it = object.find(camel); it != object.end() && !it->is_null()) {
    return &*it;
  }
  if (auto it = object.find(snake); it != object.end() && !it->is_null()) {
    return &*it;
  }
  return nullptr;
}

// proto3 JSON writes int64 as a string; numbers are accepted as well.
std::int64_t int64_of(const json* value) {
  if (value == nullptr) {
    return 0;
  }
  if (value->is_number_integer()) {
    return value->get<std::int64_t>();
  }
  if (value->is_string()) {
    return std::stoll(value->get<std::string>());
  }
  throw std::invalid_argument("not an integer: " + value->dump());
}

std::string string_of(const json* value) {
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

StringMap string_map_of(const json* value) {
  StringMap out;
  if (value != nullptr && value->is_object()) {
    for (const auto& [key, item] : value->items()) {
      out[key] = item.is_string() ? item.get<std::string>() : item.dump();
    }
  }
  return out;
}

json int64_text(std::int64_t value) {
  return std::to_string(value);
}

json step_json(const StepState& step) {
  json out = {{"id", int64_text(step.id)}, {"result", to_proto_name(step.result)},
              {"logIndex", int64_text(step.log_index)}, {"logLength", int64_text(step.log_length)}};
  if (step.started_at) {
    out["startedAt"] = format_timestamp(*step.started_at);
  }
  if (step.stopped_at) {
    out["stoppedAt"] = format_timestamp(*step.stopped_at);
  }
  return out;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '+' || c == '-') {
    return 62;
  }
  if (c == '/' || c == '_') {
    return 63;
  }
  return -1;
}

/// Runs `parse`, turning a malformed message into an error naming it.
template <class T, class F>
Result<T> guarded(const char* what, F&& parse) {
  try {
    return parse();
  } catch (const std::exception& e) {
    return Error{std::string("malformed ") + what + ": " + e.what()};
  }
}

}  // namespace

std::string to_proto_name(TaskResult result) {
  return k_result_names.at(static_cast<std::size_t>(result));
}

std::string to_context_word(TaskResult result) {
  switch (result) {
    case TaskResult::success: return "success";
    case TaskResult::failure: return "failure";
    case TaskResult::cancelled: return "cancelled";
    case TaskResult::skipped: return "skipped";
    case TaskResult::unspecified: break;
  }
  return "";
}

TaskResult parse_result(const json& value) {
  if (value.is_number_integer()) {
    const auto n = value.get<int>();
    return n >= 0 && n < static_cast<int>(k_result_names.size()) ? static_cast<TaskResult>(n) : TaskResult::unspecified;
  }
  if (value.is_string()) {
    for (std::size_t i = 0; i < k_result_names.size(); ++i) {
      if (value.get<std::string>() == k_result_names[i]) {
        return static_cast<TaskResult>(i);
      }
    }
  }
  return TaskResult::unspecified;
}

std::string format_timestamp(Clock::time_point time) {
  const auto since = time.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since);
  const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(since - seconds).count();
  const std::time_t t = seconds.count();
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  char fraction[16];
  std::snprintf(fraction, sizeof fraction, ".%09lldZ", static_cast<long long>(nanos));
  return std::string(text) + fraction;
}

Result<std::string> base64_decode(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=' || c == '\n' || c == '\r') {
      continue;
    }
    const int value = base64_value(c);
    if (value < 0) {
      return Error{"not base64"};
    }
    buffer = (buffer << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

json register_request(const std::string& name, const std::string& token, const std::string& version,
                      const std::vector<std::string>& labels) {
  return {{"name", name}, {"token", token}, {"version", version}, {"labels", labels}};
}

json declare_request(const std::string& version, const std::vector<std::string>& labels) {
  return {{"version", version}, {"labels", labels}};
}

json fetch_request(std::int64_t tasks_version) {
  return {{"tasksVersion", int64_text(tasks_version)}};
}

json update_task_request(const TaskState& state, const StringMap& outputs) {
  json steps = json::array();
  for (const auto& step : state.steps) {
    steps.push_back(step_json(step));
  }
  json task = {{"id", int64_text(state.id)}, {"result", to_proto_name(state.result)}, {"steps", steps}};
  if (state.started_at) {
    task["startedAt"] = format_timestamp(*state.started_at);
  }
  if (state.stopped_at) {
    task["stoppedAt"] = format_timestamp(*state.stopped_at);
  }
  return {{"state", task}, {"outputs", outputs}};
}

json update_log_request(std::int64_t task_id, std::int64_t index, const std::vector<LogRow>& rows, bool no_more) {
  json list = json::array();
  for (const auto& row : rows) {
    list.push_back({{"time", format_timestamp(row.time)}, {"content", row.content}});
  }
  return {{"taskId", int64_text(task_id)}, {"index", int64_text(index)}, {"rows", list}, {"noMore", no_more}};
}

Result<RunnerInfo> parse_runner_answer(const json& body) {
  return guarded<RunnerInfo>("runner", [&body] {
    const json* runner = field(body, "runner", "runner");
    if (runner == nullptr) {
      throw std::invalid_argument("no runner in the answer");
    }
    RunnerInfo info;
    info.id = int64_of(field(*runner, "id", "id"));
    info.uuid = string_of(field(*runner, "uuid", "uuid"));
    info.token = string_of(field(*runner, "token", "token"));
    info.name = string_of(field(*runner, "name", "name"));
    if (const json* labels = field(*runner, "labels", "labels"); labels && labels->is_array()) {
      info.labels = labels->get<std::vector<std::string>>();
    }
    return info;
  });
}

Result<Task> parse_task(const json& body) {
  return guarded<Task>("task", [&body]() -> Result<Task> {
    Task task;
    task.id = int64_of(field(body, "id", "id"));
    auto payload = base64_decode(string_of(field(body, "workflowPayload", "workflow_payload")));
    if (!payload) {
      return Error{"malformed task: workflowPayload is not base64"};
    }
    task.workflow_payload = std::move(*payload);
    if (const json* context = field(body, "context", "context")) {
      task.context = *context;
    } else {
      task.context = json::object();
    }
    task.secrets = string_map_of(field(body, "secrets", "secrets"));
    task.vars = string_map_of(field(body, "vars", "vars"));
    if (const json* needs = field(body, "needs", "needs"); needs && needs->is_object()) {
      for (const auto& [id, need] : needs->items()) {
        TaskNeed entry;
        entry.outputs = string_map_of(field(need, "outputs", "outputs"));
        if (const json* result = field(need, "result", "result")) {
          entry.result = parse_result(*result);
        }
        task.needs[id] = std::move(entry);
      }
    }
    return task;
  });
}

Result<FetchAnswer> parse_fetch_answer(const json& body) {
  return guarded<FetchAnswer>("FetchTask answer", [&body]() -> Result<FetchAnswer> {
    FetchAnswer answer;
    answer.tasks_version = int64_of(field(body, "tasksVersion", "tasks_version"));
    if (const json* task = field(body, "task", "task")) {
      auto parsed = parse_task(*task);
      if (!parsed) {
        return parsed.error();
      }
      answer.task = std::move(*parsed);
    }
    return answer;
  });
}

Result<UpdateTaskAnswer> parse_update_task_answer(const json& body) {
  return guarded<UpdateTaskAnswer>("UpdateTask answer", [&body] {
    UpdateTaskAnswer answer;
    if (const json* state = field(body, "state", "state")) {
      if (const json* result = field(*state, "result", "result")) {
        answer.server_result = parse_result(*result);
      }
    }
    if (const json* sent = field(body, "sentOutputs", "sent_outputs"); sent && sent->is_array()) {
      answer.sent_outputs = sent->get<std::vector<std::string>>();
    }
    return answer;
  });
}

Result<std::int64_t> parse_ack_index(const json& body) {
  return guarded<std::int64_t>("UpdateLog answer", [&body] { return int64_of(field(body, "ackIndex", "ack_index")); });
}

}  // namespace pipeline::runner::forge
