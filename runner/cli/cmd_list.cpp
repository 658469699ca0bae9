// `pipe list` — placeholder until its implementation lands.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "runner/cli/app.hpp"

namespace pipeline::runner::cli {

std::function<int()> setup_list(CLI::App& app) {
  (void)app;
  return [] {
    std::fprintf(stderr, "pipe: 'list' is not implemented yet\n");
    return k_exit_usage;
  };
}

}  // namespace pipeline::runner::cli
