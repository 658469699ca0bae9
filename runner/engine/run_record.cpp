#include "runner/engine/run_record.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include <nlohmann/json.hpp>

namespace pipeline::runner::engine {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view k_latest = "latest";

Result<void> write_atomically(const fs::path& path, std::string_view content) {
  fs::path temp = path;
  temp += ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) {
      return Error{"cannot write '" + temp.string() + "'"};
    }
  }
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) {
    return Error{"cannot write '" + path.string() + "': " + ec.message()};
  }
  return {};
}

std::string read_result(const fs::path& run_json) {
  std::ifstream in(run_json);
  if (!in) {
    return {};
  }
  auto json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return {};
  }
  auto result = json.find("result");
  return result != json.end() && result->is_string() ? result->get<std::string>() : std::string();
}

RunInfo describe(const fs::path& dir) {
  RunInfo info{dir.filename().string(), dir.string(), read_result(dir / "run.json"), {}};
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".log") {
      info.logs.push_back(entry.path().filename().string());
    }
  }
  std::sort(info.logs.begin(), info.logs.end());
  return info;
}

}  // namespace

std::string make_run_id(std::chrono::system_clock::time_point now, std::uint16_t random) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  std::array<char, 96> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%04d%02d%02d-%02d%02d%02d-%04x", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<unsigned>(random));
  return buffer.data();
}

std::string make_run_id() {
  std::random_device device;
  return make_run_id(std::chrono::system_clock::now(), static_cast<std::uint16_t>(device() & 0xFFFFU));
}

bool is_run_id(std::string_view text) {
  constexpr std::string_view k_shape = "dddddddd-dddddd-xxxx";
  if (text.size() != k_shape.size()) {
    return false;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    bool fits = k_shape[i] == '-'   ? c == '-'
                : k_shape[i] == 'd' ? std::isdigit(c) != 0
                                    : std::isxdigit(c) != 0 && std::isupper(c) == 0;
    if (!fits) {
      return false;
    }
  }
  return true;
}

std::string job_log_name(std::string_view job) {
  std::string name;
  for (char c : job) {
    bool safe = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
    name += safe ? c : '_';
  }
  if (name.empty() || name.front() == '.') {
    name.insert(0, "job");
  }
  return name + ".log";
}

Result<RunRecord> RunRecord::create(const std::string& runs_dir, const std::string& run_id) {
  fs::path dir = fs::path(runs_dir) / run_id;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return Error{"cannot create '" + dir.string() + "': " + ec.message()};
  }
  const fs::path pipe_dir = fs::path(runs_dir).parent_path();
  if (pipe_dir.filename() == ".pipe" && !fs::exists(pipe_dir / ".gitignore", ec)) {
    (void)write_atomically(pipe_dir / ".gitignore", "# pipe's run records: never committed\n*\n");
  }
  return RunRecord(runs_dir, run_id, dir.string());
}

std::string RunRecord::job_log_path(std::string_view job) const { return m_dir + "/" + job_log_name(job); }

Result<void> RunRecord::write_run_json(const nlohmann::json& run) const {
  return write_file("run.json", run.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

Result<void> RunRecord::write_event_json(const nlohmann::json& event) const {
  return write_file("event.json", event.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

Result<void> RunRecord::write_file(const std::string& name, std::string_view content) const {
  return write_atomically(fs::path(m_dir) / name, content);
}

Result<void> RunRecord::mark_latest() const {
  // A relative link keeps working when the repository moves; rename makes the switch atomic.
  fs::path link = fs::path(m_runs_dir) / k_latest;
  fs::path temp = fs::path(m_runs_dir) / (".latest-" + m_id);
  std::error_code ec;
  fs::remove(temp, ec);
  fs::create_directory_symlink(m_id, temp, ec);
  if (!ec) {
    fs::rename(temp, link, ec);
  }
  if (ec) {
    return Error{"cannot point '" + link.string() + "' at " + m_id + ": " + ec.message()};
  }
  return {};
}

Result<std::vector<RunInfo>> list_runs(const std::string& runs_dir) {
  std::vector<RunInfo> runs;
  std::error_code ec;
  if (!fs::exists(runs_dir, ec)) {
    return runs;
  }
  for (const auto& entry : fs::directory_iterator(runs_dir, ec)) {
    if (entry.is_directory() && !entry.is_symlink() && is_run_id(entry.path().filename().string())) {
      runs.push_back(describe(entry.path()));
    }
  }
  if (ec) {
    return Error{"cannot list '" + runs_dir + "': " + ec.message()};
  }
  std::sort(runs.begin(), runs.end(), [](const RunInfo& a, const RunInfo& b) { return a.id > b.id; });
  return runs;
}

void prune_runs(const std::string& runs_dir, std::size_t keep) {
  std::error_code ec;
  const fs::path latest = fs::read_symlink(fs::path(runs_dir) / k_latest, ec).filename();
  std::vector<std::string> ids;
  for (const auto& entry : fs::directory_iterator(runs_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (is_run_id(name) && name != latest.string() && entry.is_directory() && !entry.is_symlink()) {
      ids.push_back(name);
    }
  }
  if (ids.size() < keep) {
    return;
  }
  std::sort(ids.begin(), ids.end(), std::greater<>());
  // `latest` is one of the kept runs even when it is not among the newest ids.
  const std::size_t others = latest.empty() || keep == 0 ? keep : keep - 1;
  for (std::size_t i = others; i < ids.size(); ++i) {
    fs::remove_all(fs::path(runs_dir) / ids[i], ec);
  }
}

Result<RunInfo> find_run(const std::string& runs_dir, std::string_view which) {
  auto runs = list_runs(runs_dir);
  if (!runs) {
    return runs.error();
  }
  if (runs->empty()) {
    return Error{"no runs recorded under '" + runs_dir + "'"};
  }
  if (which.empty() || which == k_latest) {
    std::error_code ec;
    auto target = fs::read_symlink(fs::path(runs_dir) / k_latest, ec);
    for (const auto& run : *runs) {
      if (!ec && run.id == target.filename().string()) {
        return run;
      }
    }
    return runs->front();
  }
  std::vector<const RunInfo*> matches;
  for (const auto& run : *runs) {
    if (run.id == which) {
      return run;
    }
    if (run.id.rfind(which, 0) == 0) {
      matches.push_back(&run);
    }
  }
  if (matches.size() == 1) {
    return *matches.front();
  }
  return Error{matches.empty() ? "no run '" + std::string(which) + "' under '" + runs_dir + "'"
                               : "run id '" + std::string(which) + "' is ambiguous: " + std::to_string(matches.size()) +
                                     " runs start with it"};
}

}  // namespace pipeline::runner::engine
