#pragma once
// GitHub's shell table: how a `run:` script file is executed.
#include <string>
#include <string_view>
#include <vector>

#include "workflow/base/result.hpp"

namespace pipeline::runner::engine {

/// Where the step runs; it changes the default shell.
enum class ShellPlacement { host, container };

/// Whether bash is available where the step runs.
enum class BashAvailability { present, absent };

/// How to run a script: `program` followed by `args`, where "{0}" stands for the script path.
struct ShellCommand {
  std::string program;
  std::vector<std::string> args;  // templates; every "{0}" is replaced by the script path
  std::string extension;          // script file extension, with the dot (".sh"), maybe empty
  std::string script_prefix;      // text put before the script (pwsh's $ErrorActionPreference)
};

/// The message GitHub gives for a `shell:` that is neither built in nor contains "{0}".
inline constexpr std::string_view k_invalid_shell_message =
    "Invalid shell option. Shell must be a valid built-in (bash, sh, cmd, powershell, pwsh) or a format string "
    "containing '{0}'";

/// Resolves `shell` (empty: the default for `placement`) to a command.
[[nodiscard]] Result<ShellCommand> resolve_shell(std::string_view shell, ShellPlacement placement,
                                                 BashAvailability bash);

/// The argv that runs `script_path` with `command`.
[[nodiscard]] std::vector<std::string> shell_argv(const ShellCommand& command, std::string_view script_path);

/// Splits an argument string as GitHub's runner has it split: the runner hands a custom shell's
/// arguments and a `docker://` step's `with: args` to a command line, which .NET splits.
/// Whitespace separates, double quotes group (and are removed), `""` inside quotes is a literal
/// quote, backslashes before a quote pair up and an odd one escapes it, single quotes are plain.
[[nodiscard]] std::vector<std::string> split_arguments(std::string_view text);

/// The script text to write for `command`: the prefix, then the script.
[[nodiscard]] std::string script_text(const ShellCommand& command, std::string_view script);

}  // namespace pipeline::runner::engine
