#pragma once
// Asking the user for a secret on the terminal.
#include <string>

#include "workflow/base/result.hpp"

namespace pipeline::runner::secrets {

/// True when standard input is a terminal a prompt can be shown on.
[[nodiscard]] bool can_prompt();

/// Prints `label` on stderr and reads one line from the terminal without echo.
[[nodiscard]] Result<std::string> prompt_secret(const std::string& label);

}  // namespace pipeline::runner::secrets
