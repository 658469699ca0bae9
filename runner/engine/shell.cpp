#include "runner/engine/shell.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace pipeline::runner::engine {
namespace {

struct BuiltinShell {
  std::string_view name;
  std::string_view format;  // the full command line, split like a custom shell
  std::string_view extension;
};

// GitHub's table for Linux runners (cmd and powershell are accepted names, as on GitHub).
constexpr std::array<BuiltinShell, 6> k_builtins{{
    {"bash", "bash --noprofile --norc -e -o pipefail {0}", ".sh"},
    {"sh", "sh -e {0}", ".sh"},
    {"python", "python {0}", ".py"},
    {"pwsh", "pwsh -command \". '{0}'\"", ".ps1"},
    {"powershell", "powershell -command \". '{0}'\"", ".ps1"},
    {"cmd", "cmd /D /E:ON /V:OFF /S /C \"CALL \"{0}\"\"", ".cmd"},
}};

constexpr std::string_view k_default_host_bash = "bash -e {0}";
constexpr std::string_view k_default_sh = "sh -e {0}";
constexpr std::string_view k_pwsh_prefix = "$ErrorActionPreference = 'stop'\n";

std::string_view base_name(std::string_view program) {
  auto slash = program.rfind('/');
  return slash == std::string_view::npos ? program : program.substr(slash + 1);
}

// A custom shell whose program is a known one still gets that shell's script extension.
std::string extension_for(std::string_view program) {
  auto name = base_name(program);
  for (const auto& builtin : k_builtins) {
    if (builtin.name == name) {
      return std::string(builtin.extension);
    }
  }
  if (name.rfind("python", 0) == 0) {
    return ".py";
  }
  return "";
}

ShellCommand from_format(std::string_view format) {
  auto words = split_arguments(format);
  ShellCommand command;
  command.program = words.front();
  command.args.assign(words.begin() + 1, words.end());
  command.extension = extension_for(command.program);
  auto name = base_name(command.program);
  if (name == "pwsh" || name == "powershell") {
    command.script_prefix = std::string(k_pwsh_prefix);
  }
  return command;
}

std::string_view trim(std::string_view text) {
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace

std::vector<std::string> split_arguments(std::string_view text) {
  std::vector<std::string> args;
  std::string current;
  bool in_word = false;  // a quoted "" is an (empty) argument too
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {
      std::size_t run = 0;
      while (i + run < text.size() && text[i + run] == '\\') {
        ++run;
      }
      const bool before_quote = i + run < text.size() && text[i + run] == '"';
      // Before a quote, pairs of backslashes are one each and an odd one escapes the quote.
      current.append(before_quote ? run / 2 : run, '\\');
      if (before_quote && run % 2 == 1) {
        current += '"';
        ++run;
      }
      i += run - 1;
      in_word = true;
    } else if (c == '"') {
      if (quoted && i + 1 < text.size() && text[i + 1] == '"') {
        current += '"';  // "" inside quotes is a literal quote
        ++i;
      } else {
        quoted = !quoted;
      }
      in_word = true;
    } else if ((c == ' ' || c == '\t' || c == '\n' || c == '\r') && !quoted) {
      if (in_word) {
        args.push_back(std::move(current));
        current.clear();
        in_word = false;
      }
    } else {
      current += c;
      in_word = true;
    }
  }
  if (in_word) {
    args.push_back(std::move(current));
  }
  return args;
}

Result<ShellCommand> resolve_shell(std::string_view shell, ShellPlacement placement, BashAvailability bash) {
  auto name = trim(shell);
  if (name.empty()) {
    bool host_bash = placement == ShellPlacement::host && bash == BashAvailability::present;
    return from_format(host_bash ? k_default_host_bash : k_default_sh);
  }
  for (const auto& builtin : k_builtins) {
    if (equals_ignoring_case(builtin.name, name)) {  // as the runner's lookup: `Bash` is bash
      return from_format(builtin.format);
    }
  }
  if (name.find("{0}") == std::string_view::npos) {
    return Error{std::string(k_invalid_shell_message)};
  }
  return from_format(name);
}

std::vector<std::string> shell_argv(const ShellCommand& command, std::string_view script_path) {
  std::vector<std::string> argv{command.program};
  for (std::string arg : command.args) {
    replace_all(arg, "{0}", script_path);
    argv.push_back(std::move(arg));
  }
  return argv;
}

std::string script_text(const ShellCommand& command, std::string_view script) {
  return command.script_prefix + std::string(script);
}

}  // namespace pipeline::runner::engine
