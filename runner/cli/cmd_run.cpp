// `pipe run` — CLI11 fills RunOptions; job::run does the work.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "runner/cli/app.hpp"
#include "runner/docker/pull_policy.hpp"
#include "runner/engine/ci_output.hpp"
#include "runner/engine/terminal_mode.hpp"
#include "runner/job/act_habits.hpp"
#include "runner/job/run.hpp"
#include "runner/watch/watch.hpp"
#include "workflow/plan/matrix.hpp"

namespace pipeline::runner::cli {

namespace {

std::pair<std::string, std::string> split_pair(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos) {
    throw CLI::ValidationError("expected KEY=VALUE, got '" + text + "'");
  }
  return {text.substr(0, eq), text.substr(eq + 1)};
}

job::ReportRequest parse_report(const std::string& text) {
  auto [kind, file] = split_pair(text);
  if ((kind != "junit" && kind != "json") || file.empty()) {
    throw CLI::ValidationError("--report takes junit=FILE or json=FILE, got '" + text + "'");
  }
  return {kind, file};
}

// A Result-returning parser as a CLI11 check: its error text becomes the usage error.
template <typename Parse>
CLI::Validator result_check(const char* name, Parse parse) {
  return CLI::Validator(
      [parse](std::string& text) {
        auto parsed = parse(text);
        return parsed ? std::string() : parsed.error().message;
      },
      "", name);
}

CLI::Validator pull_policy_check() {
  return result_check("PULL", docker::parse_pull_policy);
}

CLI::Validator color_check() { return result_check("WHEN", engine::parse_color_choice); }

CLI::Validator progress_check() { return result_check("PROGRESS", engine::parse_progress_choice); }

CLI::Validator matrix_filter_check() {
  return result_check("MATRIX", workflow::plan::parse_matrix_filter);
}

}  // namespace

int finish_run(const job::RunResult& result) {
  for (const auto& error : result.errors) {
    std::cerr << "pipe: error: " << error << '\n';
  }
  return result.exit_code();
}

void apply_ci_mode(job::RunOptions& options, CiMode mode) {
  const bool ci = mode == CiMode::on || (mode == CiMode::from_environment && engine::env_flag("CI"));
  if (ci && options.output == job::OutputStyle::full) {
    options.output = job::OutputStyle::ci;
  }
  options.github_actions = ci && engine::env_flag("GITHUB_ACTIONS");
}

std::function<int()> setup_run(CLI::App& app) {
  auto options = std::make_shared<job::RunOptions>();
  auto inputs = std::make_shared<std::vector<std::string>>();
  auto platforms = std::make_shared<std::vector<std::string>>();
  auto backend = std::make_shared<std::string>("auto");
  auto copy = std::make_shared<bool>(false);
  auto watching = std::make_shared<bool>(false);
  auto no_socket = std::make_shared<bool>(false);
  auto no_agent = std::make_shared<bool>(false);
  auto no_warm = std::make_shared<bool>(false);
  auto overrides = std::make_shared<std::vector<std::string>>();
  auto ci = std::make_shared<bool>(false);
  auto no_ci = std::make_shared<bool>(false);
  auto reports = std::make_shared<std::vector<std::string>>();
  app.add_option("workflows", options->workflows, "Workflow files or directories (default: .github/workflows)");
  app.add_option("-C,--directory", options->directory, "Run in this repository");
  app.add_option("-e,--event", options->event, "Event name (default: push, or the workflow's first trigger)");
  app.add_option("--event-path", options->event_path, "Event payload JSON file");
  app.add_option("--input", *inputs, "Workflow input KEY=VALUE");
  app.add_option("-j,--job", options->jobs, "Run this job and the jobs it needs");
  app.add_option("--matrix", options->matrix_filters, "Keep only matrix combinations with KEY=VALUE")
      ->check(matrix_filter_check());
  app.add_flag("-w,--watch", *watching, "Run again when files change (q or Ctrl-C stops)");
  app.add_option("-p,--parallel", options->parallel, "Jobs at once (default: number of cores)");
  app.add_option("--backend", *backend, "auto, host, docker or podman")
      ->check(CLI::IsMember({"auto", "host", "docker", "podman"}));
  app.add_option("-P,--platform", *platforms, "Map a runs-on label: LABEL=IMAGE or LABEL=host");
  app.add_flag("--strict", options->strict, "Fail a job whose runs-on no runner here serves (default: skip it)");
  app.add_flag("--copy", *copy, "Run in a copy of the workspace (the tree is never written)");
  app.add_flag("--reuse", options->reuse, "Keep job containers between runs and reuse them (pipe clean removes them)");
  app.add_option_function<std::string>("--pull", [options](const std::string& text) { options->pull = *docker::parse_pull_policy(text); },
                                       "Image pulls: missing, always or never")
      ->check(pull_policy_check());
  app.add_flag("--no-engine-socket", *no_socket, "Do not mount the engine socket into job containers and Docker actions");
  app.add_flag("--no-agent", *no_agent, "Run each container step as its own engine exec, without pipe-agent");
  app.add_flag("--no-warm", *no_warm, "Start no job container before its job (default: parallel jobs and matrices of one image take started ones)");
  app.add_flag("--privileged", options->privileged, "Run every job container privileged");
  app.add_option("--container-cap-add", options->cap_add, "Add a capability to every job container");
  app.add_option("--container-options", options->container_options,
                 "Extra docker-create options for every job container (as in container.options)");
  app.add_flag("-n,--dry-run", options->dry_run, "Print the plan without running anything");
  app.add_flag("--json", options->json, "Stream events as JSON Lines");
  app.add_flag("--ci", *ci, "CI logs: plain timestamped lines, GitHub groups (default: on when CI=true)");
  app.add_flag("--no-ci", *no_ci, "Terminal logs even when CI=true");
  app.add_option_function<std::string>("--color", [options](const std::string& text) { options->color = *engine::parse_color_choice(text); },
                                       "Colors: auto, always or never (default: auto; NO_COLOR, FORCE_COLOR)")
      ->check(color_check());
  app.add_option_function<std::string>("--progress", [options](const std::string& text) { options->progress = *engine::parse_progress_choice(text); },
                                       "Live view of running jobs: auto, tty or plain (default: auto)")
      ->check(progress_check());
  app.add_option("--follow", options->follow, "Show step output of this job only (the others: start, end, annotations)");
  app.add_option("--report", *reports, "Write a report when the run ends: junit=FILE or json=FILE (repeatable)");
  app.add_flag("--explain", options->explain, "Say why each job or step was skipped");
  app.add_flag("-v,--verbose", options->verbose, "Show debug output (::debug::, RUNNER_DEBUG=1)");
  app.add_option("-s,--secret", options->secrets, "Secret NAME=VALUE, or NAME to take it from the environment");
  app.add_option("--secret-file", options->secret_files, "Secrets file (default: .secrets when present)");
  app.add_option("--env-file", options->env_files, "Variables for every job (default: .env when present)");
  app.add_option("--var", options->vars, "Variable NAME=VALUE for the vars context");
  app.add_option("--var-file", options->var_files, "Variables file (default: .vars when present)");
  app.add_option("--vault-secret", options->vault_secrets, "Vault secrets in vault-action syntax: PATH KEY [| NAME]");
  app.add_flag("--github-token-from-env", options->github_token_from_env,
               "Use $GITHUB_TOKEN as secrets.GITHUB_TOKEN and github.token");
  app.add_option("--actions-url", options->actions_url, "Base URL of action repositories (default: https://github.com/)");
  app.add_option("--artifact-dir", options->artifact_dir, "Keep artifacts in DIR/<run-id>/ (default: the run record)");
  app.add_option("--cache-dir", options->cache_dir,
                 "Keep actions/cache entries in DIR (default: $XDG_CACHE_HOME/pipe/actions-cache)");
  app.add_flag("--offline", options->offline, "Use only actions already in the cache");
  app.add_option("--action-override", *overrides, "Run a local directory in place of an action: owner/repo@ref=PATH");
  app.add_option("--approve", options->approvals, "Start the jobs of this protected environment without asking (repeatable)");
  app.add_option("--actor", options->actor, "github.actor (default: git's user.name)");
  app.add_option("--remote-name", options->remote_name, "The git remote naming the repository (default: origin)");
  app.add_option("--default-branch", options->default_branch, "The repository's default branch (default: from the remote's HEAD)");
  app.add_flag("-q,--quiet", options->quiet, "Do not show step output (results, errors and the summary stay)");
  app.add_option("--input-file", options->input_files, "Workflow inputs from a dotenv file (default: .input when present)");
  app.add_option("--container-cap-drop", options->cap_drop, "Drop a capability from every job container");
  app.add_option("--network", options->network, "The Docker network job containers use (default: the host's)");
  return [=] {
    for (const auto& text : *inputs) {
      options->inputs.push_back(split_pair(text));
    }
    for (const auto& text : *platforms) {
      options->platforms.push_back(split_pair(text));
    }
    for (const auto& text : *overrides) {
      options->action_overrides.push_back(split_pair(text));
    }
    options->backend = *backend == "host"     ? job::BackendChoice::host
                       : *backend == "docker" ? job::BackendChoice::docker
                       : *backend == "podman" ? job::BackendChoice::podman
                                              : job::BackendChoice::automatic;
    options->workspace = *copy ? job::WorkspaceMode::copy : job::WorkspaceMode::bind;
    options->engine_socket = !*no_socket;
    options->agent = !*no_agent;
    options->warm = !*no_warm;
    for (const auto& text : *reports) {
      options->reports.push_back(parse_report(text));
    }
    apply_ci_mode(*options, *ci ? CiMode::on : *no_ci ? CiMode::off : CiMode::from_environment);
    if (const auto notice = job::take_event_file(*options); !notice.empty()) {  // act's `-e payload.json`
      std::cerr << notice << '\n';
    }
    if (auto read = job::read_input_files(*options, options->directory); !read) {
      std::cerr << "pipe: error: " << read.error().message << '\n';
      return static_cast<int>(k_exit_usage);
    }
    return run_interruptible([&](engine::Interruption& interruption) {
      return *watching ? watch::run_watching(*options, interruption) : finish_run(job::run(*options, interruption));
    });
  };
}

}  // namespace pipeline::runner::cli
