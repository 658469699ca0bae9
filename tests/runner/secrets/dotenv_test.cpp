#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "runner/secrets/dotenv.hpp"

using namespace pipeline::runner::secrets;

namespace {

Lookup fake_env() {
  static const std::map<std::string, std::string, std::less<>> env = {
      {"HOME", "/home/me"}, {"EMPTY", ""}, {"INHERITED", "from-env"}};
  return [](std::string_view name) -> std::optional<std::string> {
    const auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

std::vector<std::pair<std::string, std::string>> parse_ok(const std::string& text) {
  const auto result = parse_dotenv(text, ".env", fake_env());
  INFO(text);
  if (!result.ok()) {
    FAIL(result.error().message);
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : *result) {
    out.emplace_back(e.name, e.value);
  }
  return out;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

}  // namespace

TEST_CASE("dotenv grammar", "[dotenv]") {
  const std::vector<std::pair<std::string, Pairs>> rows = {
      {"A=1", {{"A", "1"}}},
      {"A=1\nB=2\n", {{"A", "1"}, {"B", "2"}}},
      {"# comment\n\n   \nA=1 # trailing comment\n", {{"A", "1"}}},
      {"A=a#b", {{"A", "a#b"}}},
      {"A= #only comment", {{"A", ""}}},
      {"A=", {{"A", ""}}},
      {"A =  spaced value  ", {{"A", "spaced value"}}},
      {"export A=1\nexport\tB=2", {{"A", "1"}, {"B", "2"}}},
      {"export=1", {{"export", "1"}}},
      {"A='single $HOME \\n # not comment'", {{"A", "single $HOME \\n # not comment"}}},
      {"A=\"double\\n\\t\\\"q\\\" \\\\ \\$HOME $HOME\"", {{"A", "double\n\t\"q\" \\ $HOME /home/me"}}},
      {"A=\"keep \\x unknown\"", {{"A", "keep \\x unknown"}}},
      {"A=\"line1\nline2\"\nB=3", {{"A", "line1\nline2"}, {"B", "3"}}},
      {"A='multi\nline'  # c", {{"A", "multi\nline"}}},
      {"A=\"\" ", {{"A", ""}}},
      {"A=x\nB=${A}-$A-${A}y", {{"A", "x"}, {"B", "x-x-xy"}}},
      {"B=$HOME/bin", {{"B", "/home/me/bin"}}},
      {"B=${MISSING}|$MISSING|", {{"B", "||"}}},
      {"B=${MISSING:-def}|${EMPTY:-def}|${EMPTY-def}|${MISSING-def}", {{"B", "def|def||def"}}},
      {"B=${HOME:+alt}|${EMPTY:+alt}|${EMPTY+alt}|${MISSING+alt}", {{"B", "alt||alt|"}}},
      {"B=${MISSING:-${HOME}/x}", {{"B", "/home/me/x"}}},
      {"B=$(whoami) `id` $ $1 ${HOME}", {{"B", "$(whoami) `id` $ $1 /home/me"}}},
      {"HOME=/override\nB=$HOME", {{"HOME", "/override"}, {"B", "/override"}}},
      {"INHERITED\nMISSING_ONE\nB=$INHERITED", {{"INHERITED", "from-env"}, {"B", "from-env"}}},
      {"INHERITED # comment", {{"INHERITED", "from-env"}}},
      {"A=1\r\nB=\"x\r\ny\"\r\n", {{"A", "1"}, {"B", "x\ny"}}},
      {"\xEF\xBB\xBF" "A=1", {{"A", "1"}}},
      {"A.b-c_1=ok", {{"A.b-c_1", "ok"}}},
      {"A=1\nA=2", {{"A", "1"}, {"A", "2"}}},
      {"A=é ünïcode", {{"A", "é ünïcode"}}},
  };
  for (const auto& [text, expected] : rows) {
    CAPTURE(text);
    CHECK(parse_ok(text) == expected);
  }
}

TEST_CASE("dotenv entries record their line", "[dotenv]") {
  const auto result = parse_dotenv("# c\nA=1\nB=\"x\ny\"\nC=3\n", "f", fake_env());
  REQUIRE(result.ok());
  REQUIRE(result->size() == 3);
  CHECK((*result)[0] == DotenvEntry{"A", "1", 2});
  CHECK((*result)[1] == DotenvEntry{"B", "x\ny", 3});
  CHECK((*result)[2] == DotenvEntry{"C", "3", 5});
}

TEST_CASE("dotenv errors name file and line, and every error is reported", "[dotenv]") {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"=value", "s.env:1: missing variable name before '='"},
      {"A B=1", "s.env:1: unexpected character 'B' in variable name 'A'"},
      {"A$=1", "s.env:1: unexpected character '$' in variable name 'A'"},
      {"A=\"open", "s.env:1: unterminated quoted value: missing closing \""},
      {"\n\nA='open\nB=2", "s.env:3: unterminated quoted value: missing closing '"},
      {"A=\"x\" y", "s.env:1: unexpected character 'y' after closing quote"},
      {"A=${B", "s.env:1: unterminated variable reference '${B'"},
      {"A=${}", "s.env:1: invalid variable reference '${}'"},
      {"A=${1X}", "s.env:1: invalid variable reference '${1X}'"},
      {"A=${B*x}", "s.env:1: invalid variable reference '${B*x}'"},
      {"A=${MISSING:?must be set}", "s.env:1: required variable MISSING is missing a value: must be set"},
      {"A=${EMPTY?}${EMPTY:?}", "s.env:1: required variable EMPTY is missing a value"},
  };
  for (const auto& [text, message] : rows) {
    CAPTURE(text);
    const auto result = parse_dotenv(text, "s.env", fake_env());
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message == message);
  }
  const auto many = parse_dotenv("GOOD=1\n=x\nA B\nOK=2\nC=\"unterminated\n", "m.env", fake_env());
  REQUIRE_FALSE(many.ok());
  CHECK(many.error().message ==
        "m.env:2: missing variable name before '='\n"
        "m.env:3: unexpected character 'B' in variable name 'A'\n"
        "m.env:5: unterminated quoted value: missing closing \"");
}

TEST_CASE("dotenv files load from disk", "[dotenv]") {
  const auto dir = std::filesystem::temp_directory_path() / "pipe-dotenv-test";
  std::filesystem::create_directories(dir);
  const auto path = (dir / ".secrets").string();
  std::ofstream(path) << "TOKEN=abc123\nexport USER_NAME='me'\n";
  const auto loaded = load_dotenv_file(path, fake_env());
  REQUIRE(loaded.ok());
  CHECK(loaded->size() == 2);
  const auto missing = load_dotenv_file((dir / "nope").string(), fake_env());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.starts_with((dir / "nope").string() + ": cannot open"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("the environment lookup reads the process environment", "[dotenv]") {
  ::setenv("PIPE_DOTENV_TEST_VAR", "yes", 1);
  const auto result = parse_dotenv("PIPE_DOTENV_TEST_VAR\nB=${PIPE_DOTENV_TEST_VAR}", "e", environment_lookup());
  REQUIRE(result.ok());
  CHECK(result->at(1).value == "yes");
}
