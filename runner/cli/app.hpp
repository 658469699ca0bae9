#pragma once
// The command line: a table of subcommands, each in its own file.
#include <functional>

#include "workflow/base/cancel.hpp"
#include "workflow/base/exit_code.hpp"

namespace CLI {
class App;
}

namespace pipeline::runner::engine {
class Interruption;
}

namespace pipeline::runner::job {
struct RunOptions;
struct RunResult;
}

namespace pipeline::runner::cli {

/// Adds a subcommand's options to `app` and returns the action that runs it once parsed.
using SetupFn = std::function<std::function<int()>(CLI::App& app)>;

/// One row of the subcommand table.
struct Subcommand {
  const char* name;
  const char* summary;
  SetupFn setup;
};

/// Whether CI mode is on: asked for, refused, or taken from CI=true in pipe's environment.
enum class CiMode { on, off, from_environment };

/// Sets `options`' output style for CI mode, and GitHub Actions' log format when
/// GITHUB_ACTIONS=true in pipe's own environment.
void apply_ci_mode(job::RunOptions& options, CiMode mode);

/// Runs `body` with Ctrl-C, SIGTERM, SIGHUP and a closed standard output turned into its
/// interruption (the first cancels, a second Ctrl-C or SIGTERM stops at once), as `pipe run` does.
int run_interruptible(const std::function<int(engine::Interruption& interruption)>& body);

/// Prints a run's errors as `pipe: error: …` and returns its process exit code.
int finish_run(const job::RunResult& result);

/// Parses argv, runs the chosen subcommand, returns the process exit code.
int main(int argc, char** argv);

// Each subcommand's setup, one per file (cmd_<name>.cpp).
std::function<int()> setup_validate(CLI::App& app);
std::function<int()> setup_list(CLI::App& app);
std::function<int()> setup_eval(CLI::App& app);
std::function<int()> setup_run(CLI::App& app);
std::function<int()> setup_hook(CLI::App& app);
std::function<int()> setup_graph(CLI::App& app);
std::function<int()> setup_logs(CLI::App& app);
std::function<int()> setup_artifacts(CLI::App& app);
std::function<int()> setup_clean(CLI::App& app);
/// Removes the artifacts whose retention ended from every run recorded in `repo_dir`; how many went.
std::size_t prune_expired_artifacts(const std::string& repo_dir);
std::function<int()> setup_secrets(CLI::App& app);
std::function<int()> setup_config(CLI::App& app);
std::function<int()> setup_cache(CLI::App& app);
std::function<int()> setup_runner(CLI::App& app);
std::function<int()> setup_completion(CLI::App& app);
/// The hidden `__complete` the completion scripts call for job ids and workflow files.
std::function<int()> setup_complete(CLI::App& app);

}  // namespace pipeline::runner::cli
