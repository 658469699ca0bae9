// `pipe artifacts` — the artifacts a recorded run's jobs uploaded, and extracting one of them.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "runner/cli/app.hpp"
#include "runner/engine/run_record.hpp"
#include "runner/services/artifact_extract.hpp"
#include "runner/services/artifact_names.hpp"
#include "runner/services/artifact_store.hpp"
#include "runner/services/token.hpp"

namespace pipeline::runner::cli {

namespace {

namespace fs = std::filesystem;

struct ArtifactsOptions {
  std::string run;
  std::string directory = ".";
  std::string name;    // get: the artifact
  std::string output = ".";  // get: where it is extracted
};

// run.json names the directory when --artifact-dir moved the artifacts out of the record.
std::string artifacts_dir_of(const engine::RunInfo& run) {
  std::ifstream in(fs::path(run.dir) / "run.json");
  const auto json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_object() && json.contains("artifacts_dir") && json["artifacts_dir"].is_string()) {
    return json["artifacts_dir"].get<std::string>();
  }
  return (fs::path(run.dir) / "artifacts").string();
}

std::string human_size(std::int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  auto value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return text;
}

Result<engine::RunInfo> chosen_run(const ArtifactsOptions& options) {
  return engine::find_run((fs::path(options.directory) / ".pipe" / "runs").string(), options.run);
}

std::vector<services::ArtifactInfo> finalized(const std::string& dir) {
  std::vector<services::ArtifactInfo> found;
  for (auto& info : services::read_artifacts(dir)) {
    if (info.finalized) {
      found.push_back(std::move(info));
    }
  }
  return found;
}

int list_artifacts(const ArtifactsOptions& options) {
  auto run = chosen_run(options);
  if (!run) {
    std::cerr << "pipe: error: " << run.error().message << '\n';
    return k_exit_usage;
  }
  const auto artifacts = finalized(artifacts_dir_of(*run));
  if (artifacts.empty()) {
    std::cout << "run " << run->id << " has no artifacts\n";
    return k_exit_success;
  }
  for (const auto& info : artifacts) {
    std::cout << info.name << "  " << human_size(info.size) << "  " << info.digest << "  (" << info.job << ")";
    if (info.expires_at != 0) {
      std::cout << "  expires " << services::format_timestamp(info.expires_at);
    }
    std::cout << '\n';
  }
  return k_exit_success;
}

int get_artifact(const ArtifactsOptions& options) {
  auto run = chosen_run(options);
  if (!run) {
    std::cerr << "pipe: error: " << run.error().message << '\n';
    return k_exit_usage;
  }
  if (auto problem = services::artifact_name_problem(options.name)) {
    std::cerr << "pipe: error: " << *problem << '\n';
    return k_exit_usage;
  }
  const std::string dir = artifacts_dir_of(*run);
  for (const auto& info : finalized(dir)) {
    if (info.name != options.name) {
      continue;
    }
    auto written = services::extract_artifact(info, (fs::path(dir) / info.name / "content").string(), options.output);
    if (!written) {
      std::cerr << "pipe: error: " << written.error().message << '\n';
      return k_exit_usage;
    }
    std::cout << "extracted " << *written << " file(s) of '" << info.name << "' into " << options.output << '\n';
    return k_exit_success;
  }
  std::cerr << "pipe: error: run " << run->id << " has no artifact named '" << options.name << "'\n";
  return k_exit_usage;
}

}  // namespace

std::size_t prune_expired_artifacts(const std::string& repo_dir) {
  auto runs = engine::list_runs((fs::path(repo_dir) / ".pipe" / "runs").string());
  std::size_t removed = 0;
  for (const auto& run : runs ? *runs : std::vector<engine::RunInfo>{}) {
    removed += services::remove_expired(artifacts_dir_of(run), services::unix_now()).size();
  }
  return removed;
}

std::function<int()> setup_artifacts(CLI::App& app) {
  auto options = std::make_shared<ArtifactsOptions>();
  auto action = std::make_shared<std::function<int()>>([options] { return list_artifacts(*options); });
  app.add_option("run", options->run, "Run id, unique prefix, or 'latest' (default)");
  app.add_option("-C,--directory", options->directory, "The repository");
  CLI::App* get = app.add_subcommand("get", "Extract one artifact of a run");
  get->add_option("name", options->name, "The artifact's name")->required();
  get->add_option("-o,--output", options->output, "Directory to extract into (default: the current one)");
  get->add_option("--run", options->run, "Run id, unique prefix, or 'latest' (default)");
  get->add_option("-C,--directory", options->directory, "The repository");
  get->callback([options, action] { *action = [options] { return get_artifact(*options); }; });
  CLI::App* prune = app.add_subcommand("prune", "Remove the artifacts whose retention-days ended (pipe clean does too)");
  prune->add_option("-C,--directory", options->directory, "The repository");
  prune->callback([options, action] {
    *action = [options] {
      std::cout << "removed " << prune_expired_artifacts(options->directory) << " expired artifact(s)\n";
      return static_cast<int>(k_exit_success);
    };
  });
  return [action] { return (*action)(); };
}

}  // namespace pipeline::runner::cli
