#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "runner/output/file_commands.hpp"

using namespace pipeline::runner::output;

TEST_CASE("key/value files parse as the runner does", "[files]") {
  struct Row {
    std::string text;
    KeyValuePairs expected;
  };
  const std::vector<Row> rows = {
      {"", {}},
      {"A=1\n\nB=two=2\n", {{"A", "1"}, {"B", "two=2"}}},
      {"A=\"quoted\" # not a comment", {{"A", "\"quoted\" # not a comment"}}},
      {"A=x<<y\n", {{"A", "x<<y"}}},
      {"M<<EOF\nline1\nline2\nEOF\n", {{"M", "line1\nline2"}}},
      {"M<<EOF\nline1\nEOF", {{"M", "line1"}}},
      {"M<<EOF\nEOF\nN=1", {{"M", ""}, {"N", "1"}}},
      {"M<<EOF\n\nEOF\n", {{"M", ""}}},
      {"M<<EOF\n\n\nEOF\n", {{"M", "\n"}}},
      {"M<<a=b\nv\na=b\n", {{"M", "v"}}},
      {"A=1\r\nB<<EOF\r\nx\r\nEOF\r\n", {{"A", "1\r"}, {"B", "x\r"}}},
      {"A=1\nA=2\n", {{"A", "1"}, {"A", "2"}}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.text);
    const auto result = parse_key_value_file(row.text);
    REQUIRE(result.ok());
    CHECK(*result == row.expected);
  }
}

TEST_CASE("key/value file errors carry GitHub's text", "[files]") {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"JUSTTEXT\n", "Invalid format 'JUSTTEXT'"},
      {"=value\n", "Invalid format '=value'. Name must not be empty"},
      {"<<EOF\nx\nEOF\n", "Invalid format '<<EOF'. Name must not be empty and delimiter must not be empty"},
      {"NAME<<\nx\n", "Invalid format 'NAME<<'. Name must not be empty and delimiter must not be empty"},
      {"M<<EOF\nline\n", "Invalid value. Matching delimiter not found 'EOF'"},
      {"M<<EOF\n", "Invalid value. Matching delimiter not found 'EOF'"},
      {"M<<EOF\nline one EOF", "Invalid value. EOF marker missing new line."},
      {"M<<EOF\nline\nEOF \n", "Invalid value. Matching delimiter not found 'EOF'"},
  };
  for (const auto& [text, message] : rows) {
    CAPTURE(text);
    const auto result = parse_key_value_file(text);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message == message);
  }
}

TEST_CASE("NODE_OPTIONS is refused in GITHUB_ENV, other names still apply", "[files]") {
  auto pairs = *parse_key_value_file("A=1\nnode_options=--require x\nNODE_OPTIONS<<E\ny\nE\nB=2\n");
  const auto errors = refuse_blocked_env(pairs);
  CHECK(errors == std::vector<std::string>(2, std::string(k_node_options_refused)));
  CHECK(pairs == KeyValuePairs{{"A", "1"}, {"B", "2"}});
}

TEST_CASE("GITHUB_PATH lists one directory per line", "[files]") {
  CHECK(parse_path_file("/a\n\n  \n/b c\r\n/d") == std::vector<std::string>{"/a", "/b c", "/d"});
  CHECK(parse_path_file("").empty());
}

TEST_CASE("step summaries over 1 MiB are refused with the runner's message", "[files]") {
  CHECK(check_step_summary(std::string(k_step_summary_limit, 'a')).error.empty());
  const auto big = check_step_summary(std::string(k_step_summary_limit + 1, 'a'));
  CHECK(big.markdown.empty());
  CHECK(big.error ==
        "$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k, got 1024k. For more "
        "information see: https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-markdown-summary");
  CHECK(check_step_summary(std::string(1200 * 1024, 'a')).error.find("got 1200k.") != std::string::npos);

  const auto dir = std::filesystem::temp_directory_path() / "pipe-output-summary-test";
  std::filesystem::create_directories(dir);
  const auto path = (dir / "summary.md").string();
  std::ofstream(path) << "# Title\n";
  const auto read = read_step_summary(path);
  REQUIRE(read.ok());
  CHECK(read->markdown == "# Title\n");
  CHECK(read_step_summary((dir / "missing.md").string())->markdown.empty());
  std::filesystem::remove_all(dir);
}
