// `pipe completion bash|zsh|fish` prints a completion script generated from the command table;
// the hidden `pipe __complete jobs|workflows` gives the scripts the repository's job ids and
// workflow files.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>

#include "runner/cli/app.hpp"
#include "runner/cli/completion.hpp"
#include "workflow/loader.hpp"

namespace pipeline::runner::cli {
namespace {

namespace fs = std::filesystem;

struct CompleteOptions {
  std::string what;
  std::string directory = ".";
  std::vector<std::string> workflows;
};

std::vector<fs::path> workflow_paths(const CompleteOptions& options, const fs::path& dir) {
  std::vector<fs::path> paths;
  for (const auto& w : options.workflows) {
    paths.push_back(fs::path(w).is_absolute() ? fs::path(w) : dir / w);
  }
  if (paths.empty()) {
    paths.push_back(dir / ".github" / "workflows");
  }
  return paths;
}

// Completion must never print an error in the middle of the user's command line: a repository
// without workflows, or with broken ones, offers what loads and says nothing.
int print_candidates(const CompleteOptions& options) {
  const fs::path dir = fs::absolute(options.directory).lexically_normal();
  std::set<std::string> candidates;
  if (options.what == "jobs") {
    for (const auto& wf : workflow::load_all(workflow_paths(options, dir), dir).workflows) {
      for (const auto& job : wf.jobs) {
        candidates.insert(job.id.value);
      }
    }
  } else {
    for (const auto& file : workflow::find_workflow_files(dir / ".github" / "workflows")) {
      candidates.insert((fs::path(".github") / "workflows" / file.filename()).string());
    }
  }
  for (const auto& candidate : candidates) {
    std::printf("%s\n", candidate.c_str());
  }
  return k_exit_success;
}

}  // namespace

std::function<int()> setup_completion(CLI::App& app) {
  auto shell = std::make_shared<std::string>();
  app.add_option("shell", *shell, "bash, zsh or fish")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  return [&app, shell] {
    // The whole command table, read when every subcommand has been added.
    const auto tree = completion::describe(*app.get_parent());
    const std::string script = *shell == "bash"  ? completion::bash_script(tree)
                               : *shell == "zsh" ? completion::zsh_script(tree)
                                                 : completion::fish_script(tree);
    std::fputs(script.c_str(), stdout);
    return std::fflush(stdout) == 0 ? k_exit_success : k_exit_usage;
  };
}

std::function<int()> setup_complete(CLI::App& app) {
  app.group("");  // for the scripts, not for people
  auto options = std::make_shared<CompleteOptions>();
  app.add_option("what", options->what, "jobs or workflows")->required()->check(CLI::IsMember({"jobs", "workflows"}));
  app.add_option("workflows", options->workflows, "Workflow files or directories (default: .github/workflows)");
  app.add_option("-C,--directory", options->directory, "The repository");
  return [options] { return print_candidates(*options); };
}

}  // namespace pipeline::runner::cli
