// The fish script of `pipe completion fish`: a function that finds the subcommand path of the
// command line, and one `complete` line per subcommand, option and positional of each path.
#include <string>

#include "runner/cli/completion.hpp"
#include "runner/cli/completion_text.hpp"

namespace pipeline::runner::cli::completion {
namespace {

std::string condition(const Command& command) { return " -n " + fish_quote("__pipe_at " + fish_quote(path_text(command))); }

/// The `complete` arguments offering values of `kind`.
std::string value_arguments(const Argument& arg) {
  switch (arg.kind) {
    case ValueKind::none: return "";
    case ValueKind::text: return " -x";
    case ValueKind::file: return " -r -F";
    case ValueKind::directory: return " -x -a '(__fish_complete_directories (commandline -ct))'";
    case ValueKind::job: return " -x -a '(__pipe_list jobs)'";
    case ValueKind::workflow: return " -r -F -a '(__pipe_list workflows)'";
    case ValueKind::choice: {
      std::string words;
      for (const auto& choice : arg.choices) {
        words += (words.empty() ? "" : " ") + choice;
      }
      return " -x -a " + fish_quote(words);
    }
  }
  return "";
}

std::string tables(const std::vector<const Command*>& commands) {
  std::string subcommands = "function __pipe_subcommands --argument-names cmd\n    switch \"$cmd\"\n";
  std::string values = "function __pipe_value --argument-names cmd option\n    switch \"$cmd $option\"\n";
  for (const Command* command : commands) {
    if (!command->subcommands.empty()) {
      subcommands += "        case " + fish_quote(path_text(*command)) + "\n            printf '%s\\n'";
      for (const auto& sub : command->subcommands) {
        subcommands += " " + fish_quote(sub.path.back());
      }
      subcommands += "\n";
    }
    for (const auto& option : command->options) {
      if (option.kind == ValueKind::none) {
        continue;
      }
      values += "        case";
      for (const auto& name : option.names) {
        values += " " + fish_quote(path_text(*command) + " " + name);
      }
      values += "\n            echo " + fish_quote(kind_word(option)) + "\n";
    }
  }
  return subcommands + "    end\nend\n\n" + values + "    end\nend\n";
}

std::string completions(const Command& command) {
  std::string out;
  const std::string when = condition(command);
  for (const auto& sub : command.subcommands) {
    out += "complete -c pipe" + when + " -a " + fish_quote(sub.path.back()) + " -d " + fish_quote(sub.description) + "\n";
  }
  for (const auto& option : command.options) {
    out += "complete -c pipe" + when;
    for (const auto& name : option.names) {
      out += name.rfind("--", 0) == 0 ? " -l " + fish_quote(name.substr(2)) : " -s " + fish_quote(name.substr(1));
    }
    out += value_arguments(option) + " -d " + fish_quote(option.description) + "\n";
  }
  if (!command.positionals.empty() && command.subcommands.empty()) {
    const Argument& first = command.positionals.front();
    if (first.kind != ValueKind::text) {
      std::string values = value_arguments(first);
      // A positional's values are offered as plain arguments: no -r/-x (those are for options).
      for (const char* flag : {" -r", " -x"}) {
        if (auto at = values.find(flag); at != std::string::npos) {
          values.erase(at, 3);
        }
      }
      out += "complete -c pipe" + when + values + "\n";
    }
  }
  return out;
}

// The subcommand path is found as bash and zsh find it: words that name a subcommand of the
// path so far, before any positional; an option's value is never taken for one.
constexpr const char* k_walker = R"FISH(
# The subcommand path of the command line before the cursor ("hook run" for `pipe hook run ...`).
function __pipe_command
    set -l tokens (commandline -opc)
    set -l cmd ''
    set -l skip 0
    set -l npos 0
    for token in $tokens[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $token
            case '--*=*'
            case '-*'
                set -l kind (__pipe_value "$cmd" $token)
                if test -n "$kind"
                    set skip 1
                end
            case '*'
                if test $npos = 0; and contains -- $token (__pipe_subcommands "$cmd")
                    set cmd (string trim -- "$cmd $token")
                else
                    set npos (math $npos + 1)
                end
        end
    end
    echo $cmd
end

function __pipe_at --argument-names cmd
    set -l here (__pipe_command)
    test "$here" = "$cmd"
end

# Job ids or workflow files of the repository `-C` names (default: the current directory).
function __pipe_list --argument-names what
    set -l tokens (commandline -opc)
    set -l repo
    for i in (seq (count $tokens))
        if contains -- $tokens[$i] -C --directory; and test $i -lt (count $tokens)
            set repo -C $tokens[(math $i + 1)]
        end
    end
    $tokens[1] __complete $what $repo 2>/dev/null
end
)FISH";

}  // namespace

std::string fish_script(const Command& root) {
  const auto commands = flatten(root);
  std::string out =
      "# fish completion for pipe, generated by `pipe completion fish` from pipe's command table.\n"
      "# Install as fish/vendor_completions.d/pipe.fish, or in ~/.config/fish/completions/.\n\n";
  out += tables(commands);
  out += k_walker;
  out += "\ncomplete -c pipe -f\n";
  for (const Command* command : commands) {
    out += completions(*command);
  }
  return out;
}

}  // namespace pipeline::runner::cli::completion
