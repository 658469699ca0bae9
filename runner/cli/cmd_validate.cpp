// `pipe validate [PATH...]` — load and check workflows, print every problem, exit 2 on errors.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "runner/cli/app.hpp"
#include "workflow/loader.hpp"

namespace pipeline::runner::cli {
namespace {

struct ValidateOptions {
  std::vector<std::string> paths;
  std::string directory;
  bool json = false;
};

std::vector<std::filesystem::path> paths_or_default(const std::vector<std::string>& given) {
  if (given.empty()) {
    return {".github/workflows"};
  }
  return {given.begin(), given.end()};
}

nlohmann::json to_json(const std::vector<workflow::Diagnostic>& diagnostics) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& d : diagnostics) {
    list.push_back({{"file", d.where.file},
                    {"line", d.where.line},
                    {"column", d.where.column},
                    {"severity", d.severity == workflow::Severity::error ? "error" : "warning"},
                    {"message", d.message},
                    {"hint", d.hint}});
  }
  return {{"diagnostics", list}};
}

int run_validate(const ValidateOptions& options) {
  const workflow::LoadedSet set = workflow::load_all(paths_or_default(options.paths), options.directory);
  if (options.json) {
    // A file name need not be UTF-8; its bad bytes print as U+FFFD instead of aborting the dump.
    const auto text = to_json(set.diagnostics).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    std::fputs((text + "\n").c_str(), stdout);
  } else {
    std::fputs(workflow::format_diagnostics(set).c_str(), stderr);
  }
  std::fputs(("pipe: " + workflow::summary_line(set) + "\n").c_str(), stderr);
  return workflow::has_errors(set.diagnostics) ? k_exit_usage : k_exit_success;
}

}  // namespace

std::function<int()> setup_validate(CLI::App& app) {
  auto options = std::make_shared<ValidateOptions>();
  app.add_option("paths", options->paths, "Workflow files or directories (default: .github/workflows)");
  app.add_option("-C,--directory", options->directory, "Resolve paths relative to this directory");
  app.add_flag("--json", options->json, "Print diagnostics as JSON on stdout");
  return [options] { return run_validate(*options); };
}

}  // namespace pipeline::runner::cli
