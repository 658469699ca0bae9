// pipe — run GitHub Actions workflows on your own machine.
#include "runner/cli/app.hpp"

int main(int argc, char** argv) {
  return pipeline::runner::cli::main(argc, argv);
}
