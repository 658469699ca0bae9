#include "runner/forge/task_ledger.hpp"

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>

#include <nlohmann/json.hpp>

namespace pipeline::runner::forge {

namespace fs = std::filesystem;

namespace {

bool process_alive(long pid) {
  return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

std::string file_name(long pid, std::int64_t task_id) {
  return std::to_string(pid) + "-" + std::to_string(task_id) + ".json";
}

}  // namespace

TaskLedger::TaskLedger(const fs::path& registration_file) : m_dir(registration_file.string() + ".tasks") {}

Result<void> TaskLedger::taken(std::int64_t task_id, const std::string& runner_name) const {
  std::error_code ec;
  fs::create_directories(m_dir, ec);
  const long pid = ::getpid();
  const fs::path file = m_dir / file_name(pid, task_id);
  const nlohmann::json record{{"task_id", task_id},
                              {"runner", runner_name},
                              {"pid", pid},
                              {"taken_at", static_cast<std::int64_t>(::time(nullptr))}};
  std::ofstream out(file, std::ios::trunc);
  out << record.dump() << '\n';
  if (!out.flush()) {
    return Error{"cannot write " + file.string()};
  }
  return {};
}

void TaskLedger::finished(std::int64_t task_id) const {
  std::error_code ec;
  fs::remove(m_dir / file_name(::getpid(), task_id), ec);
}

std::vector<LeftoverTask> TaskLedger::leftovers() const {
  std::vector<LeftoverTask> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(m_dir, ec)) {
    const std::string name = entry.path().filename().string();
    long pid = 0;
    long long task_id = 0;
    char tail[8] = {};
    if (std::sscanf(name.c_str(), "%ld-%lld.%5s", &pid, &task_id, tail) != 3 || std::string(tail) != "json") {
      continue;
    }
    if (pid != ::getpid() && process_alive(pid)) {
      continue;  // another live daemon of this registration runs it
    }
    found.push_back(LeftoverTask{task_id, entry.path()});
  }
  return found;
}

std::size_t report_leftovers(const ForgeClient& client, const TaskLedger& ledger,
                             const std::function<void(const std::string&)>& log) {
  std::size_t reported = 0;
  for (const auto& leftover : ledger.leftovers()) {
    const std::string name = "task " + std::to_string(leftover.task_id);
    // The rows the server holds come first: ask for its ack_index, then add one row after them.
    auto ack = client.update_log(leftover.task_id, 0, {}, false);
    const auto now = Clock::now();
    if (ack) {
      ack = client.update_log(leftover.task_id, *ack,
                              {LogRow{now, "pipe: the runner stopped while running this job; it is reported failed"}},
                              true);
    }
    TaskState state;
    state.id = leftover.task_id;
    state.result = TaskResult::failure;
    state.stopped_at = now;
    auto updated = ack ? client.update_task(state, {}) : Result<UpdateTaskAnswer>(ack.error());
    if (!updated) {
      log(name + ": left running by a stopped runner, and the server cannot be told yet: " + updated.error().message);
      continue;
    }
    std::error_code ec;
    fs::remove(leftover.file, ec);
    log(name + ": left running by a stopped runner; reported failed");
    ++reported;
  }
  return reported;
}

}  // namespace pipeline::runner::forge
