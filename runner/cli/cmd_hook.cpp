// `pipe hook install|uninstall|status|run` — CLI11 fills the options; runner/hook does the work.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "runner/cli/app.hpp"
#include "runner/job/run.hpp"
#include "runner/hook/hook_config.hpp"
#include "runner/hook/hook_run.hpp"
#include "runner/hook/install.hpp"

namespace pipeline::runner::cli {
namespace {

namespace fs = std::filesystem;

/// The options every `pipe hook` subcommand shares.
struct HookCommand {
  std::string action;
  std::string stage = "pre-commit";
  std::string jobs;
  std::string workflow;
  std::string directory = ".";
  std::string backend;  // empty: config hook.backend, else docker with --warm, else containers or the host
  bool warm = false;
  bool no_warm = false;
  long warm_idle = 0;

  /// --warm, --no-warm, or neither (the config's, else the default).
  [[nodiscard]] std::optional<bool> warm_choice() const {
    return warm ? std::optional<bool>(true) : no_warm ? std::optional<bool>(false) : std::nullopt;
  }
};

// The hook must call this very binary, wherever the user's PATH points later.
std::string own_executable() {
  std::error_code ec;
  auto path = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("pipe") : path.string();
}

hook::Stage stage_of(const HookCommand& command) {
  return hook::parse_stage(command.stage).value_or(hook::Stage::pre_commit);
}

int print_result(const Result<std::string>& result) {
  if (!result) {
    std::cerr << "pipe: error: " << result.error().message << "\n";
    return k_exit_usage;
  }
  std::cout << *result << (result->empty() || result->back() == '\n' ? "" : "\n");
  return k_exit_success;
}

int install(const HookCommand& command) {
  hook::HookSettings settings;
  settings.stage = stage_of(command);
  settings.jobs = hook::split_list(command.jobs);
  settings.workflow = command.workflow;
  settings.warm = command.warm_choice();
  settings.warm_idle = command.warm_idle;
  settings.backend = command.backend;
  return print_result(hook::install_hook(command.directory, own_executable(), settings));
}

int status(const HookCommand& command) {
  auto text = hook::hook_status(command.directory);
  if (text) {
    auto config = hook::read_hook_config(command.directory);
    if (config && !config->jobs.empty()) {
      std::string jobs;
      for (const auto& job : config->jobs) {
        jobs += (jobs.empty() ? "" : ",") + job;
      }
      *text += "config (.pipe.yml hook.jobs): " + jobs + "\n";
    }
  }
  return print_result(text);
}

int run(const HookCommand& command) {
  hook::HookRunOptions options;
  options.stage = stage_of(command);
  options.jobs = hook::split_list(command.jobs);
  options.workflow = command.workflow;
  options.directory = command.directory;
  if (!command.backend.empty()) {
    options.backend = command.backend == "docker" ? job::BackendChoice::docker
                      : command.backend == "auto" ? job::BackendChoice::automatic
                                                  : job::BackendChoice::host;
  }
  options.warm = command.warm_choice();
  if (command.warm_idle > 0) {
    options.warm_idle = std::chrono::seconds(command.warm_idle);
  }
  return hook::run_hook(options, std::cin, [](const job::RunOptions& run_options) {
    return run_interruptible(
        [&](engine::Interruption& interruption) { return finish_run(job::run(run_options, interruption)); });
  });
}

void add_common(CLI::App& sub, HookCommand& command) {
  sub.add_option("-C,--directory", command.directory, "The repository (default: the current directory)");
  sub.add_option("--stage", command.stage, "pre-commit or pre-push")
      ->check(CLI::IsMember({"pre-commit", "pre-push"}));
}

void add_selection(CLI::App& sub, HookCommand& command) {
  sub.add_option("--jobs", command.jobs, "Comma-separated jobs (default: hook.jobs in .pipe.yml, else all)");
  sub.add_option("--workflow", command.workflow, "Workflow file or directory (default: .github/workflows)");
  auto* warm = sub.add_flag("--warm", command.warm,
                            "Run each job in a container kept started between commits (the default in containers)");
  sub.add_flag("--no-warm", command.no_warm, "Remove each job's container when the hook ends (default: hook.warm)")
      ->excludes(warm);
  sub.add_option("--warm-idle", command.warm_idle,
                 "Seconds a warm container waits unused before it goes (default: hook.warm-idle, else 600)")
      ->check(CLI::PositiveNumber);
  sub.add_option("--backend", command.backend,
                 "host, docker or auto (default: hook.backend, else docker with --warm, else auto: containers "
                 "when the engine and the jobs' images are here, else the host)")
      ->check(CLI::IsMember({"auto", "host", "docker"}));
}

}  // namespace

std::function<int()> setup_hook(CLI::App& app) {
  auto command = std::make_shared<HookCommand>();
  app.require_subcommand(1);
  auto* install_cmd = app.add_subcommand("install", "Write the git hook (an existing hook is kept and runs first)");
  auto* uninstall_cmd = app.add_subcommand("uninstall", "Remove pipe's hook and restore the one it chained");
  auto* status_cmd = app.add_subcommand("status", "Show which hooks are installed and their jobs");
  auto* run_cmd = app.add_subcommand("run", "Run the hooked jobs on the staged snapshot (what the hook calls)");
  for (auto* sub : {install_cmd, uninstall_cmd, status_cmd, run_cmd}) {
    add_common(*sub, *command);
    sub->callback([command, sub] { command->action = sub->get_name(); });
  }
  add_selection(*install_cmd, *command);
  add_selection(*run_cmd, *command);
  return [command] {
    if (command->action == "install") {
      return install(*command);
    }
    if (command->action == "uninstall") {
      return print_result(hook::uninstall_hook(command->directory, stage_of(*command)));
    }
    if (command->action == "status") {
      return status(*command);
    }
    return run(*command);
  };
}

}  // namespace pipeline::runner::cli
