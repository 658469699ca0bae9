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

}  // namespace

TEST_CASE("cmake --install puts the binary, the man page and the shell completions under the prefix",
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

  // The completions are the built pipe's own output (`pipe completion SHELL`).
  const auto bash = read_file(prefix.path / "share/bash-completion/completions/pipe");
  CHECK(bash.find("complete -F _pipe pipe") != std::string::npos);
  CHECK(bash == run_process({pipe.string(), "completion", "bash"}).out);
  const auto zsh = read_file(prefix.path / "share/zsh/site-functions/_pipe");
  CHECK(zsh.rfind("#compdef pipe\n", 0) == 0);
  CHECK(zsh == run_process({pipe.string(), "completion", "zsh"}).out);
  const auto fish = read_file(prefix.path / "share/fish/vendor_completions.d/pipe.fish");
  CHECK(fish == run_process({pipe.string(), "completion", "fish"}).out);
}
