#pragma once
// `pipe runner register`: trades a registration token from the forge for this runner's identity
// and writes it to the registration file.
#include <string>

namespace pipeline::runner::forge {

/// The environment variable a registration token may come from.
inline constexpr const char* k_token_variable = "PIPE_RUNNER_TOKEN";

/// What `pipe runner register` was asked; empty fields are prompted for on a terminal.
struct RegisterOptions {
  std::string instance;    // --instance: the forge's URL
  std::string token;       // --token
  std::string token_file;  // --token-file
  std::string name;        // --name; default: the host name
  std::string labels;      // --labels L1,L2; default: k_default_labels
  std::string file = ".runner";  // --file: where the registration goes
  bool no_interactive = false;   // --no-interactive: never prompt
  bool insecure = false;         // --insecure: skip TLS verification
};

/// Registers and writes the file; returns the exit code (0, 2 for missing or bad input, 1 when
/// the server refuses).
[[nodiscard]] int run_register(RegisterOptions options);

}  // namespace pipeline::runner::forge
