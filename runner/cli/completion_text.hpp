#pragma once
// Pieces the completion scripts share: value kinds as words, quoting, the sh-style tables.
#include <string>

#include "runner/cli/completion.hpp"

namespace pipeline::runner::cli::completion {

/// The word a script tests for a value kind: "job", "file", "choice:a,b,c", ... ("" for a flag).
[[nodiscard]] std::string kind_word(const Argument& arg);

/// `text` in single quotes for sh, bash and zsh.
[[nodiscard]] std::string sh_quote(const std::string& text);

/// `text` in single quotes for fish (which escapes \ and ' inside them).
[[nodiscard]] std::string fish_quote(const std::string& text);

/// The sh functions bash and zsh share: `_pipe_subcommands PATH`, `_pipe_options PATH`, `_pipe_value PATH OPTION` (the option's value kind, empty for a flag) and
/// `_pipe_positional PATH INDEX`, each a `case` over the command paths of `root`.
[[nodiscard]] std::string shell_tables(const Command& root);

}  // namespace pipeline::runner::cli::completion
