#include "runner/cli/completion_text.hpp"

#include <vector>

namespace pipeline::runner::cli::completion {
namespace {

std::string joined(const std::vector<std::string>& words, const char* separator) {
  std::string text;
  for (const auto& word : words) {
    text += (text.empty() ? "" : separator) + word;
  }
  return text;
}

std::string option_words(const Command& command) {
  std::vector<std::string> names;
  for (const auto& option : command.options) {
    names.insert(names.end(), option.names.begin(), option.names.end());
  }
  return joined(names, " ");
}

std::string subcommand_words(const Command& command) {
  std::vector<std::string> names;
  for (const auto& sub : command.subcommands) {
    names.push_back(sub.path.back());
  }
  return joined(names, " ");
}

std::string subcommands_table(const std::vector<const Command*>& commands) {
  std::string out = "\n# The subcommands of a command path (\"hook\" for `pipe hook`).\n"
                    "_pipe_subcommands() {\n  case $1 in\n";
  for (const Command* command : commands) {
    if (!command->subcommands.empty()) {
      out += "    " + sh_quote(path_text(*command)) + ") echo " + sh_quote(subcommand_words(*command)) + " ;;\n";
    }
  }
  return out + "  esac\n}\n";
}

std::string options_table(const std::vector<const Command*>& commands) {
  std::string out = "\n# The options of a command path.\n_pipe_options() {\n  case $1 in\n";
  for (const Command* command : commands) {
    out += "    " + sh_quote(path_text(*command)) + ") echo " + sh_quote(option_words(*command)) + " ;;\n";
  }
  return out + "  esac\n}\n";
}

std::string values_table(const std::vector<const Command*>& commands) {
  std::string out = "\n# How the value of option $2 of command path $1 completes; nothing for a flag.\n"
                    "_pipe_value() {\n  case \"$1 $2\" in\n";
  for (const Command* command : commands) {
    for (const auto& option : command->options) {
      if (option.kind == ValueKind::none) {
        continue;
      }
      std::vector<std::string> labels;
      for (const auto& name : option.names) {
        labels.push_back(sh_quote(path_text(*command) + " " + name));
      }
      out += "    " + joined(labels, "|") + ") echo " + sh_quote(kind_word(option)) + " ;;\n";
    }
  }
  return out + "  esac\n}\n";
}

std::string positionals_table(const std::vector<const Command*>& commands) {
  std::string out = "\n# How positional argument $2 (from 0) of command path $1 completes.\n"
                    "_pipe_positional() {\n  case $1 in\n";
  for (const Command* command : commands) {
    const auto& args = command->positionals;
    if (args.empty()) {
      continue;
    }
    out += "    " + sh_quote(path_text(*command)) + ")\n      case $2 in\n";
    for (std::size_t i = 0; i < args.size(); ++i) {
      const bool rest = i + 1 == args.size() && args[i].repeats;
      out += "        " + (rest ? std::string("*") : std::to_string(i)) + ") echo " + sh_quote(kind_word(args[i])) + " ;;\n";
    }
    out += "      esac ;;\n";
  }
  return out + "  esac\n}\n";
}

}  // namespace

std::string kind_word(const Argument& arg) {
  switch (arg.kind) {
    case ValueKind::none: return "";
    case ValueKind::text: return "text";
    case ValueKind::file: return "file";
    case ValueKind::directory: return "directory";
    case ValueKind::job: return "job";
    case ValueKind::workflow: return "workflow";
    case ValueKind::choice: return "choice:" + joined(arg.choices, ",");
  }
  return "text";
}

std::string sh_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

std::string fish_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "'";
}

std::string shell_tables(const Command& root) {
  const auto commands = flatten(root);
  return subcommands_table(commands) + options_table(commands) + values_table(commands) +
         positionals_table(commands);
}

}  // namespace pipeline::runner::cli::completion
