#include <catch2/catch.hpp>

#include "expr_support.hpp"

using namespace pipeline::workflow::expr;
using pipeline::workflow::expr::test::run;

namespace {

std::string parse_error(std::string_view expression, const ParseOptions& options = {}) {
  auto ast = parse(expression, options);
  return ast ? "ok" : ast.error().message;
}

}  // namespace

TEST_CASE("parse errors name the token and its 1-based position", "[expr]") {
  struct Row {
    const char* expression;
    const char* message;
  };
  const Row rows[] = {
      {"1 < )", "Unexpected symbol: ')'. Located at position 5 within expression: 1 < )"},
      {"1 <", "Unexpected end of expression: '<'. Located at position 3 within expression: 1 <"},
      {"github.", "Unexpected end of expression: '.'. Located at position 7 within expression: github."},
      {"(1", "Unexpected end of expression: '1'. Located at position 2 within expression: (1"},
      {"1 2", "Unexpected symbol: '2'. Located at position 3 within expression: 1 2"},
      {"a = b", "Unrecognized named-value: 'a'. Located at position 1 within expression: a = b"},
      {"1 = 2", "Unexpected symbol: '='. Located at position 3 within expression: 1 = 2"},
      {"1 & 2", "Unexpected symbol: '&'. Located at position 3 within expression: 1 & 2"},
      {"1 | 2", "Unexpected symbol: '|'. Located at position 3 within expression: 1 | 2"},
      {"0xFZ", "Unexpected symbol: '0xFZ'. Located at position 1 within expression: 0xFZ"},
      {"0XFF", "Unexpected symbol: '0XFF'. Located at position 1 within expression: 0XFF"},
      {"0O17 == 15", "Unexpected symbol: '0O17'. Located at position 1 within expression: 0O17 == 15"},
      {"1 == 1a", "Unexpected symbol: '1a'. Located at position 6 within expression: 1 == 1a"},
      {"'abc", "Unexpected symbol: ''abc'. Located at position 1 within expression: 'abc"},
      {"\"x\"", "Unexpected symbol: '\"x\"'. Located at position 1 within expression: \"x\""},
      {"1 &2", "Unexpected symbol: '&2'. Located at position 3 within expression: 1 &2"},
      {"github$x", "Unexpected symbol: 'github$x'. Located at position 1 within expression: github$x"},
      {"'a'.length", "Unexpected symbol: '.length'. Located at position 4 within expression: 'a'.length"},
      {"\v1", "Unexpected symbol: '\v1'. Located at position 1 within expression: \v1"},
      {"foo.bar", "Unrecognized named-value: 'foo'. Located at position 1 within expression: foo.bar"},
      {"false && nope()", "Unrecognized function: 'nope'. Located at position 10 within expression: false && nope()"},
      {"contains('a')", "Too few parameters supplied: 'contains'. Located at position 1 within expression: contains('a')"},
      {"toJSON(1, 2)", "Too many parameters supplied: 'toJSON'. Located at position 1 within expression: toJSON(1, 2)"},
      {"success(1)", "Too many parameters supplied: 'success'. Located at position 1 within expression: success(1)"},
      {"format()", "Too few parameters supplied: 'format'. Located at position 1 within expression: format()"},
      {"case(true, 1)", "Too few parameters supplied: 'case'. Located at position 1 within expression: case(true, 1)"},
      {"case(true, 1, false, 2)",
       "Even number of parameters supplied, requires an odd number of parameters: 'case'. Located at position 1 "
       "within expression: case(true, 1, false, 2)"},
      {"github[", "Unexpected end of expression: '['. Located at position 7 within expression: github["},
      {"github[*", "Unexpected end of expression: '*'. Located at position 8 within expression: github[*"},
      {"github[*].x]", "Unexpected symbol: ']'. Located at position 12 within expression: github[*].x]"},
      {"*", "Unexpected symbol: '*'. Located at position 1 within expression: *"},
      {"github.*x", "Unexpected symbol: 'x'. Located at position 9 within expression: github.*x"},
      {"!", "Unexpected end of expression: '!'. Located at position 1 within expression: !"},
      {"()", "Unexpected symbol: ')'. Located at position 2 within expression: ()"},
      {"contains(1,)", "Unexpected symbol: ')'. Located at position 12 within expression: contains(1,)"},
      {"github.1", "Unexpected symbol: '1'. Located at position 8 within expression: github.1"},
      {"é == x", "Unexpected symbol: 'é'. Located at position 1 within expression: é == x"},
      {"'é' == x", "Unrecognized named-value: 'x'. Located at position 8 within expression: 'é' == x"},
      {"True", "Unrecognized named-value: 'True'. Located at position 1 within expression: True"},
      {"1 ?", "Unexpected symbol: '?'. Located at position 3 within expression: 1 ?"},
  };
  for (const auto& row : rows) {
    INFO(row.expression);
    CHECK(parse_error(row.expression) == row.message);
  }
  CHECK(parse_error("") == "Unexpected end of expression");
  CHECK(parse_error("   ") == "Unexpected end of expression");
}

TEST_CASE("names are case-insensitive; keywords are not", "[expr]") {
  CHECK(parse_error("GITHUB.ref") == "ok");
  CHECK(parse_error("Contains('a', 'A')") == "ok");
  CHECK(parse_error("TOJSON(null)") == "ok");
  CHECK(parse_error("github.true") == "ok");  // after `.`, a keyword is a property name
  CHECK(run("GitHub.EVENT_NAME") == "String \"push\"");
  CHECK(run("CONTAINS('abc', 'B')") == "Boolean true");
  CHECK(run("contains ('abc', 'B')") == "Boolean true");
}

TEST_CASE("options restrict contexts and functions", "[expr]") {
  const auto run_name = ParseOptions::only({"github", "inputs", "vars"});
  CHECK(parse_error("github.ref && inputs.x && vars.y", run_name) == "ok");
  CHECK(parse_error("secrets.token", run_name) ==
        "Unrecognized named-value: 'secrets'. Located at position 1 within expression: secrets.token");
  CHECK(parse_error("success()", run_name) ==
        "Unrecognized function: 'success'. Located at position 1 within expression: success()");
  CHECK(parse_error("hashFiles('x')", run_name) ==
        "Unrecognized function: 'hashFiles'. Located at position 1 within expression: hashFiles('x')");
  const auto step_if = ParseOptions::only({"github", "steps"}, {"always", "hashFiles"});
  CHECK(parse_error("always() && failure() && hashFiles('a') != ''", step_if) == "ok");
  CHECK(parse_error("format('{0}', github.ref)", run_name) == "ok");
  CHECK(context_names(run_name.contexts) == std::vector<std::string_view>{"github", "vars", "inputs"});
}

TEST_CASE("depth and length limits", "[expr]") {
  std::string ok = std::string(49, '!') + "true";
  CHECK(parse_error(ok) == "ok");
  std::string deep = std::string(60, '(') + "1" + std::string(60, ')');
  CHECK(parse_error(deep).rfind("Exceeded max expression depth 50: '('. Located at position 51", 0) == 0);
  std::string nots = std::string(60, '!') + "true";
  CHECK(parse_error(nots).rfind("Exceeded max expression depth 50", 0) == 0);
  std::string chain = "1";
  for (int i = 0; i < 60; ++i) {
    chain += " == 1";
  }
  CHECK(parse_error(chain) == "ok");  // comparisons do not count towards the depth
  std::string members = "github";
  for (int i = 0; i < 48; ++i) {
    members += ".a";
  }
  CHECK(parse_error(members) == "ok");  // 1 for the expression + 48 accesses + 1 more is the limit
  CHECK(parse_error(members + ".b") == "ok");
  CHECK(parse_error(members + ".b.c").rfind("Exceeded max expression depth 50: 'c'", 0) == 0);
  std::string ands = "true";
  for (int i = 0; i < 200; ++i) {
    ands += " && true";
  }
  CHECK(parse_error(ands) == "ok");  // one n-ary node, not a deep tree
  std::string longest = "'" + std::string(k_max_length - 2, 'a') + "'";
  CHECK(parse_error(longest) == "ok");
  CHECK(parse_error(longest + " ") == "Exceeded max expression length 21000");
}

TEST_CASE("status functions are detected anywhere in the expression", "[expr]") {
  CHECK(parse("always()")->calls_status_function);
  CHECK(parse("github.ref == 'x' || FAILURE()")->calls_status_function);
  CHECK(parse("!cancelled()")->calls_status_function);
  CHECK_FALSE(parse("github.ref == 'success()'")->calls_status_function);
  CHECK_FALSE(parse("contains(github.ref, 'x')")->calls_status_function);
}
