#pragma once
// Shell completion scripts generated from the command table itself: the subcommands, options
// and values CLI11 knows, so no list is kept by hand.
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace pipeline::runner::cli::completion {

/// What the value of an option or positional is completed with.
enum class ValueKind {
  none,       // a flag: no value
  text,       // free text: nothing to offer
  file,
  directory,
  job,        // a job id of the repository's workflows
  workflow,   // a workflow file of the repository
  choice,     // one of `choices`
};

/// One option or positional argument.
struct Argument {
  std::vector<std::string> names;  // "-j", "--job"; a positional's one name
  std::string description;
  ValueKind kind = ValueKind::none;
  std::vector<std::string> choices;
  bool repeats = false;  // a positional that takes every remaining word
};

/// One command: pipe itself or a subcommand at any depth.
struct Command {
  std::vector<std::string> path;  // empty for pipe itself, {"hook", "run"} for `pipe hook run`
  std::string description;
  std::vector<Argument> options;  // own ones and those handed up to its parents (fallthrough)
  std::vector<Argument> positionals;
  std::vector<Command> subcommands;  // visible ones only
};

/// The visible command tree of `app`, with each argument's value kind.
[[nodiscard]] Command describe(const CLI::App& app);

/// Every command of the tree, parents before children.
[[nodiscard]] std::vector<const Command*> flatten(const Command& root);

/// The path words joined by spaces ("" for pipe itself).
[[nodiscard]] std::string path_text(const Command& command);

[[nodiscard]] std::string bash_script(const Command& root);
[[nodiscard]] std::string zsh_script(const Command& root);
[[nodiscard]] std::string fish_script(const Command& root);

}  // namespace pipeline::runner::cli::completion
