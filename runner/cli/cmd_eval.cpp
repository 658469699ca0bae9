// `pipe eval` — placeholder until its implementation lands.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "runner/cli/app.hpp"

namespace pipeline::runner::cli {

std::function<int()> setup_eval(CLI::App& app) {
  (void)app;
  return [] {
    std::fprintf(stderr, "pipe: 'eval' is not implemented yet\n");
    return k_exit_usage;
  };
}

}  // namespace pipeline::runner::cli
