// GitHub's shell table, argv for argv.
#include <catch2/catch.hpp>

#include "runner/engine/shell.hpp"

using namespace pipeline::runner::engine;
using Argv = std::vector<std::string>;

TEST_CASE("shell table gives GitHub's exact command lines", "[shell]") {
  struct Row {
    std::string shell;
    ShellPlacement placement;
    BashAvailability bash;
    Argv argv;
    std::string extension;
  };
  const std::string s = "/tmp/x/script";
  auto row = GENERATE_COPY(
      Row{"bash", ShellPlacement::host, BashAvailability::present,
          {"bash", "--noprofile", "--norc", "-e", "-o", "pipefail", s}, ".sh"},
      Row{"bash", ShellPlacement::container, BashAvailability::absent,
          {"bash", "--noprofile", "--norc", "-e", "-o", "pipefail", s}, ".sh"},
      Row{"sh", ShellPlacement::host, BashAvailability::present, {"sh", "-e", s}, ".sh"},
      Row{"Bash", ShellPlacement::host, BashAvailability::present,
          {"bash", "--noprofile", "--norc", "-e", "-o", "pipefail", s}, ".sh"},
      Row{"SH", ShellPlacement::container, BashAvailability::absent, {"sh", "-e", s}, ".sh"},
      Row{"PowerShell", ShellPlacement::host, BashAvailability::present,
          {"powershell", "-command", ". '" + s + "'"}, ".ps1"},
      Row{"python", ShellPlacement::host, BashAvailability::present, {"python", s}, ".py"},
      Row{"pwsh", ShellPlacement::host, BashAvailability::present, {"pwsh", "-command", ". '" + s + "'"}, ".ps1"},
      Row{"", ShellPlacement::host, BashAvailability::present, {"bash", "-e", s}, ".sh"},
      Row{"", ShellPlacement::host, BashAvailability::absent, {"sh", "-e", s}, ".sh"},
      Row{"", ShellPlacement::container, BashAvailability::present, {"sh", "-e", s}, ".sh"},
      Row{"perl {0}", ShellPlacement::host, BashAvailability::present, {"perl", s}, ""},
      Row{"bash -x {0}", ShellPlacement::host, BashAvailability::present, {"bash", "-x", s}, ".sh"},
      Row{"python3 -u {0}", ShellPlacement::host, BashAvailability::present, {"python3", "-u", s}, ".py"},
      Row{"  node   --trace  {0}  ", ShellPlacement::host, BashAvailability::present, {"node", "--trace", s}, ""},
      Row{"sh -c \"cat {0}\"", ShellPlacement::host, BashAvailability::present, {"sh", "-c", "cat " + s}, ".sh"});
  CAPTURE(row.shell);
  auto command = resolve_shell(row.shell, row.placement, row.bash);
  REQUIRE(command.ok());
  CHECK(shell_argv(*command, s) == row.argv);
  CHECK(command->extension == row.extension);
}

TEST_CASE("pwsh scripts stop on the first error", "[shell]") {
  auto command = resolve_shell("pwsh", ShellPlacement::host, BashAvailability::present);
  REQUIRE(command.ok());
  CHECK(script_text(*command, "Write-Host hi") == "$ErrorActionPreference = 'stop'\nWrite-Host hi");
  auto bash = resolve_shell("bash", ShellPlacement::host, BashAvailability::present);
  REQUIRE(bash.ok());
  CHECK(script_text(*bash, "echo hi") == "echo hi");
}

TEST_CASE("a shell that is neither built in nor a format is rejected with GitHub's message", "[shell]") {
  for (const char* shell : {"zsh", "perl", "bash -x", "{1}"}) {
    CAPTURE(shell);
    auto command = resolve_shell(shell, ShellPlacement::host, BashAvailability::present);
    REQUIRE_FALSE(command.ok());
    CHECK(command.error().message ==
          "Invalid shell option. Shell must be a valid built-in (bash, sh, cmd, powershell, pwsh) or a format "
          "string containing '{0}'");
  }
}

TEST_CASE("arguments split like the runner splits them", "[shell]") {
  CHECK(split_arguments("a b  c") == Argv{"a", "b", "c"});
  CHECK(split_arguments("-command \". '{0}'\"") == Argv{"-command", ". '{0}'"});
  CHECK(split_arguments("x\\\"y") == Argv{"x\"y"});
  CHECK(split_arguments("'a b'") == Argv{"'a", "b'"});
  CHECK(split_arguments("\"\"") == Argv{""});
  CHECK(split_arguments("   ").empty());
}
