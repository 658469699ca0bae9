#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using pipeline::test::run_process;
using pipeline::test::TempDir;

namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The subcommand names of `pipe --help` (the lines after "Subcommands:").
std::vector<std::string> subcommands_of_help() {
  const auto help = run_process({PIPE_EXE, "--help"});
  std::istringstream lines(help.out.substr(help.out.find("Subcommands:")));
  std::vector<std::string> names;
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string name;
    if (words >> name) {
      names.push_back(name);
    }
  }
  return names;
}

}  // namespace

TEST_CASE("cmake --install puts the binary, the man page and the bash completion under the prefix",
          "[cli][install]") {
  TempDir prefix("install");
  const auto install = run_process({PIPE_CMAKE_COMMAND, "--install", PIPE_BINARY_DIR, "--prefix", prefix.path.string()});
  INFO(install.out << install.err);
  REQUIRE(install.exit_code == 0);

  const auto pipe = prefix.path / "bin/pipe";
  CHECK(run_process({pipe.string(), "--version"}).exit_code == 0);

  const auto man_page = prefix.path / "share/man/man1/pipe.1";
  REQUIRE(std::filesystem::exists(man_page));
  const auto roff = read_file(man_page);
  CHECK(roff.rfind(".TH PIPE 1", 0) == 0);
  CHECK(roff.find(".SH \"SYNOPSIS\"") != std::string::npos);
  // When groff is installed, the page renders without a warning.
  if (std::filesystem::exists("/usr/bin/groff")) {
    const auto rendered = run_process({"/usr/bin/groff", "-man", "-t", "-Tutf8", "-ww", "-P", "-c", man_page.string()});
    CHECK(rendered.exit_code == 0);
    CHECK(rendered.err.empty());
    CHECK(rendered.out.find("pipe validate [PATH...] [--json]") != std::string::npos);
  }

  const auto completion = read_file(prefix.path / "share/bash-completion/completions/pipe");
  CHECK(completion.find("complete -F _pipe pipe") != std::string::npos);
}

TEST_CASE("the bash completion offers every subcommand of pipe --help", "[cli][install]") {
  const auto completion = read_file(std::filesystem::path(PIPE_SOURCE_DIR) / "docs/completion/pipe.bash");
  // The first word list (`compgen -W "..."`) is the one offered after `pipe`.
  const auto start = completion.find("-W \"") + 4;
  const auto offered = " " + completion.substr(start, completion.find('"', start) - start) + " ";
  const auto names = subcommands_of_help();
  REQUIRE(names.size() >= 10);
  for (const auto& name : names) {
    INFO(name);
    CHECK(offered.find(" " + name + " ") != std::string::npos);
  }
}
