#include "runner/engine/log_events.hpp"

#include <fstream>

#include "runner/engine/render.hpp"
#include "runner/engine/run_record.hpp"

namespace pipeline::runner::engine {
namespace {

using nlohmann::json;

constexpr std::size_t k_time_width = 24;  // format_time: "2026-11-22T02:31:21.123Z"

std::string dump(json event) {
  event.erase("log_offset");
  return event.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string text_field(const json& event, const char* key) {
  const auto it = event.find(key);
  return it != event.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t offset_of(const json& event) {
  const auto it = event.find("log_offset");
  return it != event.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

// Every job event but a step summary wrote one line of the log (render_log).
bool owns_line(const json& event) { return text_field(event, "type") != "step_summary"; }

// An output line of the log: "<time> <text>", as append_log wrote it.
std::string output_event(std::string_view line, const std::string& job, const std::string& step) {
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  json event{{"schema", k_event_schema}, {"type", "output"}, {"job", job}};
  if (line.size() > k_time_width && line[k_time_width] == ' ') {
    event["time"] = std::string(line.substr(0, k_time_width));
    event["text"] = std::string(line.substr(k_time_width + 1));
  } else {
    event["text"] = std::string(line);
  }
  if (!step.empty()) {
    event["step"] = step;
  }
  return dump(std::move(event));
}

}  // namespace

std::vector<json> read_recorded_events(const std::string& run_dir) {
  std::ifstream in(run_dir + "/events.jsonl", std::ios::binary);
  std::vector<json> events;
  std::string line;
  while (std::getline(in, line)) {
    auto event = json::parse(line, nullptr, false);
    if (event.is_discarded() || !event.is_object()) {
      return {};
    }
    events.push_back(std::move(event));
  }
  return events;
}

std::string job_of_log(const std::vector<json>& recorded, std::string_view log_name) {
  for (const auto& event : recorded) {
    const std::string job = text_field(event, "job");
    if (!job.empty() && job_log_name(job) == log_name) {
      return job;
    }
  }
  return {};
}

std::vector<std::string> job_log_events(std::string_view log, const std::string& job, const std::vector<json>& recorded) {
  std::vector<const json*> events;
  for (const auto& event : recorded) {
    if (text_field(event, "job") == job) {
      events.push_back(&event);
    }
  }
  std::vector<std::string> out;
  std::string step;
  std::size_t next = 0;
  const auto emit = [&](const json& event) {
    out.push_back(dump(event));
    if (text_field(event, "type") == "step_started") {
      step = text_field(event, "step");
    }
  };
  std::size_t pos = 0;
  while (pos < log.size()) {
    const std::size_t nl = log.find('\n', pos);
    const std::size_t end = nl == std::string_view::npos ? log.size() : nl;
    bool owned = false;
    while (next < events.size() && offset_of(*events[next]) <= static_cast<std::int64_t>(pos)) {
      const json& event = *events[next++];
      emit(event);
      if (owns_line(event) && offset_of(event) == static_cast<std::int64_t>(pos)) {
        owned = true;
        break;
      }
    }
    if (!owned) {
      out.push_back(output_event(log.substr(pos, end - pos), job, step));
    }
    pos = end + 1;
  }
  while (next < events.size()) {
    emit(*events[next++]);
  }
  return out;
}

std::vector<std::string> run_events(const std::vector<json>& recorded) {
  std::vector<std::string> out;
  for (const auto& event : recorded) {
    if (text_field(event, "job").empty()) {
      out.push_back(dump(event));
    }
  }
  return out;
}

}  // namespace pipeline::runner::engine
