// `pipe logs` — the runs recorded under .pipe/runs/, and the log of one job.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

#include "runner/cli/app.hpp"
#include "runner/engine/log_events.hpp"
#include "runner/engine/run_record.hpp"

namespace pipeline::runner::cli {

namespace {

struct LogsOptions {
  std::string run;
  std::string job;
  std::string directory = ".";
  bool list = false;
  bool json = false;
};

// The events `pipe run --json` streamed for these logs, one JSON object a line: the run's own
// notices (when every job is shown), then each job's events in order.
void print_json(const engine::RunInfo& run, const std::vector<std::string>& logs, bool every_job) {
  const auto recorded = engine::read_recorded_events(run.dir);
  if (every_job) {
    for (const auto& line : engine::run_events(recorded)) {
      std::cout << line << '\n';
    }
  }
  for (const auto& log : logs) {
    std::ifstream in(std::filesystem::path(run.dir) / log, std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::string job = engine::job_of_log(recorded, log);
    if (job.empty()) {
      job = log.substr(0, log.size() - std::string_view(".log").size());
    }
    for (const auto& line : engine::job_log_events(text, job, recorded)) {
      std::cout << line << '\n';
    }
  }
}

int list_all(const std::string& runs_dir) {
  auto runs = engine::list_runs(runs_dir);
  if (!runs) {
    std::cerr << "pipe: error: " << runs.error().message << '\n';
    return k_exit_usage;
  }
  for (const auto& run : *runs) {
    std::cout << run.id << "  " << (run.result.empty() ? "-" : run.result) << "  " << run.logs.size() << " job log(s)\n";
  }
  return k_exit_success;
}

int run_logs(const LogsOptions& options) {
  const std::string runs_dir = (std::filesystem::path(options.directory) / ".pipe" / "runs").string();
  if (options.list) {
    return list_all(runs_dir);
  }
  auto run = engine::find_run(runs_dir, options.run);
  if (!run) {
    std::cerr << "pipe: error: " << run.error().message << '\n';
    return k_exit_usage;
  }
  std::vector<std::string> logs;
  for (const auto& log : run->logs) {
    if (options.job.empty() || log == engine::job_log_name(options.job) || log.rfind(options.job, 0) == 0) {
      logs.push_back(log);
    }
  }
  if (logs.empty()) {
    std::cerr << "pipe: error: run " << run->id << " has no log for job '" << options.job << "'\n";
    return k_exit_usage;
  }
  if (options.json) {
    print_json(*run, logs, options.job.empty());
    return k_exit_success;
  }
  for (const auto& log : logs) {
    std::ifstream in(std::filesystem::path(run->dir) / log);
    if (logs.size() > 1) {
      std::cout << "==> " << log << " <==\n";
    }
    std::cout << in.rdbuf();
  }
  return k_exit_success;
}

}  // namespace

std::function<int()> setup_logs(CLI::App& app) {
  auto options = std::make_shared<LogsOptions>();
  app.add_option("run", options->run, "Run id, unique prefix, or 'latest' (default)");
  app.add_option("job", options->job, "Job name (default: every job of the run)");
  app.add_option("-C,--directory", options->directory, "The repository");
  app.add_flag("-l,--list", options->list, "List the recorded runs");
  app.add_flag("--json", options->json, "The run's events as JSON Lines, in the schema of pipe run --json");
  return [options] { return run_logs(*options); };
}

}  // namespace pipeline::runner::cli
