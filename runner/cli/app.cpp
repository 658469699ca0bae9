#include "runner/cli/app.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "runner/trace/trace.hpp"

namespace pipeline::runner::cli {
namespace {

const Subcommand k_subcommands[] = {
    {"validate", "Check workflow files and report every problem", setup_validate},
    {"list", "List workflows, their triggers and jobs", setup_list},
    {"eval", "Evaluate a ${{ }} expression", setup_eval},
    {"run", "Run the workflows an event starts", setup_run},
    {"hook", "Install or run pipe as a git hook on the staged snapshot", setup_hook},
    {"graph", "Show the job graph as text, DOT or Mermaid", setup_graph},
    {"logs", "Show the logs of a recorded run", setup_logs},
    {"artifacts", "List a recorded run's artifacts, or extract one", setup_artifacts},
    {"clean", "Remove containers and networks left by dead runs, and containers kept by --reuse", setup_clean},
    {"secrets", "List the secrets a run would get and where each comes from", setup_secrets},
    {"config", "Show every setting and where it comes from", setup_config},
    {"cache", "List, remove or prune the entries actions/cache saved", setup_cache},
    {"runner", "Run jobs of a Gitea/Forgejo Actions server as a self-hosted runner", setup_runner},
    {"completion", "Print the completion script for bash, zsh or fish", setup_completion},
    {"__complete", "", setup_complete},  // hidden: job ids and workflow files for the scripts
};

/// A repeatable option takes one value per use (`-P a=b wf.yml`: the file stays a positional), on
/// every level of subcommands.
void one_value_per_use(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) {
    if (!option->get_positional()) {
      option->allow_extra_args(false);
    }
  }
  for (CLI::App* sub : app.get_subcommands({})) {
    one_value_per_use(*sub);
  }
}

/// The diagnostic trace's settings, on the top level so they work before or after the subcommand.
struct TraceOptions {
  std::string level = "off";
  std::string file;
};

void add_trace_options(CLI::App& app, TraceOptions& options) {
  app.add_option("--log-level", options.level, "pipe's own diagnostic trace: off, error, warn, info, debug or trace")
      ->envname("PIPE_LOG")
      ->check(CLI::Validator(
          [](std::string& text) {
            auto level = trace::parse_level(text);
            return level ? std::string() : level.error().message;
          },
          "LEVEL", "log level"));
  app.add_option("--log-file", options.file, "Write the trace to FILE (default: stderr)");
  app.fallthrough();  // subcommands hand these up, so `pipe run --log-level debug` works too
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pipe — run GitHub Actions workflows on your own machine", "pipe"};
  app.set_version_flag("--version", "pipe 0.1.0");
  app.require_subcommand(1);
  TraceOptions trace_options;
  add_trace_options(app, trace_options);
  std::function<int()> action;
  for (const auto& sub : k_subcommands) {
    CLI::App* cmd = app.add_subcommand(sub.name, sub.summary);
    auto run = std::make_shared<std::function<int()>>(sub.setup(*cmd));
    cmd->callback([&action, run] { action = *run; });
    one_value_per_use(*cmd);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? k_exit_success : k_exit_usage;
  }
  if (auto started = trace::start(*trace::parse_level(trace_options.level), trace_options.file); !started) {
    std::fprintf(stderr, "pipe: error: %s\n", started.error().message.c_str());
    return k_exit_usage;
  }
  try {
    return action ? action() : k_exit_usage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pipe: error: %s\n", e.what());
    return k_exit_usage;
  }
}

}  // namespace pipeline::runner::cli
