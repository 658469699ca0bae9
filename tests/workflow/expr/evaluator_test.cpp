#include <catch2/catch.hpp>

#include "expr_support.hpp"

using namespace pipeline::workflow::expr;
using pipeline::workflow::expr::test::run;
using pipeline::workflow::expr::test::show;

namespace {

struct Row {
  const char* expression;
  const char* expected;  // `Kind json` or `error: message`
};

void check_rows(std::initializer_list<Row> rows) {
  for (const auto& row : rows) {
    INFO(row.expression);
    CHECK(run(row.expression) == row.expected);
  }
}

}  // namespace

TEST_CASE("literals", "[expr]") {
  check_rows({
      {"null", "Null null"},
      {"true", "Boolean true"},
      {"false", "Boolean false"},
      {"1", "Number 1"},
      {"-1.5", "Number -1.5"},
      {"+2", "Number 2"},
      {".5", "Number 0.5"},
      {"1e3", "Number 1000"},
      {"0x10", "Number 16"},
      {"0o17", "Number 15"},
      {"NaN", "Number null"},
      {"Infinity", "Number null"},
      {"'it''s'", "String \"it's\""},
      {"''", "String \"\""},
      {"'a\\nb'", "String \"a\\\\nb\""},
      {"  'x'  ", "String \"x\""},
      {"(((1)))", "Number 1"},
  });
  CHECK(show("NaN") == "NaN");
  CHECK(show("Infinity") == "Infinity");
  CHECK(show("-Infinity") == "-Infinity");
  CHECK(show("1.0") == "1");
  CHECK(show("1e15") == "1E+15");
  CHECK(show("-0") == "0");
  CHECK(show("0.1") == "0.1");
}

TEST_CASE("logical operators short-circuit and return an operand", "[expr]") {
  check_rows({
      {"1 == 1 && 2", "Number 2"},
      {"0 && 2", "Number 0"},
      {"'' && 2", "String \"\""},
      {"null || 'x'", "String \"x\""},
      {"'a' || 'b'", "String \"a\""},
      {"false || 0", "Number 0"},
      {"!0", "Boolean true"},
      {"!'x'", "Boolean false"},
      {"!!'x'", "Boolean true"},
      {"!null", "Boolean true"},
      {"!github", "Boolean false"},
      {"true && false || true", "Boolean true"},
      {"true || false && false", "Boolean true"},
      {"false && format('{0')", "Boolean false"},  // not evaluated: no runtime error
      {"true || fromJSON('x')", "Boolean true"},
      {"!true == false", "Boolean true"},
      {"github.event.commits && 1", "Number 1"},
  });
}

TEST_CASE("comparison coercions", "[expr]") {
  check_rows({
      {"1 == 1", "Boolean true"},
      {"1 != 1", "Boolean false"},
      {"1 == '1'", "Boolean true"},
      {"' 0xff ' == 255", "Boolean true"},
      {"'0X10' == 16", "Boolean false"},  // upper-case prefixes are NaN on the runner
      {"'0x0000000010' == 16", "Boolean true"},
      {"'' == 0", "Boolean true"},
      {"'abc' == 0", "Boolean false"},
      {"null == 0", "Boolean true"},
      {"null == false", "Boolean true"},
      {"null == ''", "Boolean true"},
      {"null == null", "Boolean true"},
      {"false == ''", "Boolean true"},
      {"false == 0", "Boolean true"},
      {"true == 1", "Boolean true"},
      {"true == 2", "Boolean false"},
      {"true == 'true'", "Boolean false"},
      {"'false' == null", "Boolean false"},
      {"'false' == false", "Boolean false"},
      {"'1' == true", "Boolean true"},
      {"NaN == NaN", "Boolean false"},
      {"NaN != NaN", "Boolean true"},
      {"NaN < 1", "Boolean false"},
      {"NaN >= NaN", "Boolean false"},
      {"'abc' == 'ABC'", "Boolean true"},
      {"'abc' != 'ABD'", "Boolean true"},
      {"'A' < '['", "Boolean true"},
      {"'a' < '['", "Boolean true"},
      {"'b' > 'A'", "Boolean true"},
      {"'a' <= 'A'", "Boolean true"},
      {"'a' >= 'A'", "Boolean true"},
      {"'σ' == 'Σ'", "Boolean true"},
      {"'ς' == 'σ'", "Boolean true"},
      {"'ΣΊΣΥΦΟΣ' == 'σίσυφος'", "Boolean true"},
      {"'straße' == 'STRASSE'", "Boolean false"},
      {"'ı' == 'I'", "Boolean false"},
      {"true > false", "Boolean true"},
      {"false < true", "Boolean true"},
      {"true >= true", "Boolean true"},
      {"2 > 1", "Boolean true"},
      {"2 >= 2", "Boolean true"},
      {"1 <= 0", "Boolean false"},
      {"'10' > 9", "Boolean true"},
      {"'10' > '9'", "Boolean false"},  // strings compare as text
      {"3 < 2 < 1", "Boolean true"},    // (3 < 2) < 1 → false < 1 → 0 < 1
      {"1 < 2 < 3", "Boolean true"},
      {"github == github", "Boolean true"},
      {"github.event == github.event", "Boolean true"},
      {"fromJSON('{}') == fromJSON('{}')", "Boolean false"},
      {"fromJSON('[]') == fromJSON('[]')", "Boolean false"},
      {"github < github", "Boolean false"},
      {"github <= github", "Boolean true"},
      {"github.event.commits == 'Array'", "Boolean false"},
      {"github == 0", "Boolean false"},
      {"github != null", "Boolean true"},
      {"null < 1", "Boolean true"},
      {"null > -1", "Boolean true"},
      {"'' < 'a'", "Boolean true"},
      {"1 == 1.0", "Boolean true"},
      {"0.1 + 0.2", "error: Unexpected symbol: '+'. Located at position 5 within expression: 0.1 + 0.2"},
  });
}

TEST_CASE("property and index access", "[expr]") {
  check_rows({
      {"github.event_name", "String \"push\""},
      {"github['event_name']", "String \"push\""},
      {"github['EVENT_NAME']", "String \"push\""},
      {"GITHUB.Event_Name", "String \"push\""},
      {"github.nope", "Null null"},
      {"github.nope.deeper", "Null null"},
      {"github.event_name.length", "Null null"},
      {"github.event.commits[0].id", "String \"c1\""},
      {"github.event.commits[1.9].id", "String \"c2\""},
      {"github.event.commits['1'].id", "String \"c2\""},
      {"github.event.commits[-1]", "Null null"},
      {"github.event.commits[3]", "Null null"},
      {"github.event.commits[NaN]", "Null null"},
      {"github.event.commits['x']", "Null null"},
      {"github.event.commits[true].id", "String \"c2\""},
      {"github.event.commits[null].id", "String \"c1\""},
      {"github.event.commits.id", "Null null"},
      {"github.event.number", "Number 42"},
      {"github.event['num' == 'num']", "Null null"},
      {"matrix.node[1]", "Number 20"},
      {"matrix.node[matrix.n - 2]", "error: Unexpected symbol: '-'. Located at position 22 within expression: matrix.node[matrix.n - 2]"},
      {"env.Path", "String \"/usr/bin\""},
      {"env.PATH", "Null null"},
      {"env['CI']", "String \"true\""},
      {"steps.build.outputs.v", "String \"1.2\""},
      {"needs.x.result", "Null null"},
      {"fromJSON('{\"a\":{\"b\":[5,6]}}').a.b[1]", "Number 6"},
      {"fromJSON('[1,[2,3]]')[1][0]", "Number 2"},
      {"'abc'[0]", "error: Unexpected symbol: '['. Located at position 6 within expression: 'abc'[0]"},
      {"null.x", "error: Unexpected symbol: '.x'. Located at position 5 within expression: null.x"},
      {"('abc')[0]", "Null null"},
      {"fromJSON('[7]')[0]", "Number 7"},
      {"(null).x", "Null null"},
      {"github.event.labels[github.nope]", "Null null"},
  });
}

TEST_CASE("star filters", "[expr]") {
  check_rows({
      {"github.event.commits.*.id", "Array [\"c1\",\"c2\",\"c3\"]"},
      {"github.event.commits[*].id", "Array [\"c1\",\"c2\",\"c3\"]"},
      {"github.event.commits.*.author.name", "Array [\"Ann\",\"Bob\"]"},
      {"github.event.labels.*.name", "Array [\"bug\",\"ci\"]"},
      {"github.event.commits.*.files.*", "Array [\"a\",\"b\",\"c\"]"},
      {"github.event.commits.*.files[0]", "Array [\"a\",\"c\"]"},
      {"github.event.commits.*.files", "Array [[\"a\",\"b\"],[\"c\"]]"},
      {"github.event.number.*", "Array []"},
      {"github.nope.*", "Array []"},
      {"github.nope.*.x", "Array []"},
      {"matrix.node.*", "Array [18,20]"},
      {"github.event.commits.*.nope", "Array []"},
      {"contains(github.event.commits.*.id, 'C2')", "Boolean true"},
      {"join(github.event.commits.*.id, ', ')", "String \"c1, c2, c3\""},
      {"toJSON(github.event.labels.*.name)", "String \"[\\n  \\\"bug\\\",\\n  \\\"ci\\\"\\n]\""},
      {"github.event.commits.*.author.*", "Array [\"Ann\",\"Bob\"]"},
      {"(github.event.commits.*).id", "Array [\"c1\",\"c2\",\"c3\"]"},
      {"(github.nope || github.event.commits.*).author.name", "Array [\"Ann\",\"Bob\"]"},
      {"fromJSON('[[1,2],[3]]')[*][*]", "Array [1,2,3]"},
      {"fromJSON('[[1,2],[3]]').*[1]", "Array [2]"},
      {"fromJSON('{\"a\":{\"x\":1},\"b\":{\"x\":2}}').*.x", "Array [1,2]"},
      {"fromJSON('[1]')[*] == fromJSON('[1]')[*]", "Boolean false"},
  });
}

TEST_CASE("contains, startsWith, endsWith", "[expr]") {
  check_rows({
      {"contains('Hello World', 'world')", "Boolean true"},
      {"contains('Hello', '')", "Boolean true"},
      {"contains('', 'a')", "Boolean false"},
      {"contains(123, 2)", "Boolean true"},
      {"contains(true, 'ru')", "Boolean true"},
      {"contains(null, '')", "Boolean true"},
      {"contains('ΑΒΓ', 'βγ')", "Boolean true"},
      {"contains(fromJSON('[1, 2]'), '2')", "Boolean true"},
      {"contains(fromJSON('[\"a\", \"B\"]'), 'b')", "Boolean true"},
      {"contains(fromJSON('[\"a\"]'), 'x')", "Boolean false"},
      {"contains(fromJSON('[null]'), 0)", "Boolean true"},
      {"contains(github, 'push')", "Boolean false"},
      {"contains('Array', fromJSON('[]'))", "Boolean true"},
      {"contains(github.ref, 'refs/heads/')", "Boolean true"},
      {"startsWith('Hello', 'he')", "Boolean true"},
      {"startsWith('Hello', 'lo')", "Boolean false"},
      {"startsWith(12, 1)", "Boolean true"},
      {"startsWith('x', '')", "Boolean true"},
      {"startsWith(github, 'O')", "Boolean false"},
      {"startsWith('Object', github)", "Boolean false"},
      {"endsWith('Hello', 'LO')", "Boolean true"},
      {"endsWith('Hello', 'he')", "Boolean false"},
      {"endsWith('λόγος', 'ΟΣ')", "Boolean true"},
      {"endsWith(null, '')", "Boolean true"},
      {"endsWith(1.5, '.5')", "Boolean true"},
      {"endsWith('añb', 'B')", "Boolean true"},
      {"endsWith('añ', 'n')", "Boolean false"},
      {"startsWith('ñab', 'a')", "Boolean false"},
      {"startsWith('ÑAB', 'ña')", "Boolean true"},
      {"contains('xñy', 'Ñ')", "Boolean true"},
      {"contains('xñy', 'n')", "Boolean false"},
  });
}

TEST_CASE("format", "[expr]") {
  check_rows({
      {"format('Hello {0} {1}', 'a', 'b')", "String \"Hello a b\""},
      {"format('{1}{0}{1}', 'a', 'b')", "String \"bab\""},
      {"format('{{0}}', 'a')", "String \"{0}\""},
      {"format('{{{0}}}', 'a')", "String \"{a}\""},
      {"format('{0}', null)", "String \"\""},
      {"format('{0} {1} {2}', 1.0, true, github)", "String \"1 true Object\""},
      {"format('{0}', 0.1)", "String \"0.1\""},
      {"format('plain')", "String \"plain\""},
      {"format('')", "String \"\""},
      {"format(1)", "String \"1\""},
      {"format('}}')", "String \"}\""},
      {"format('{0', 'a')", "error: The following format string is invalid: {0"},
      {"format('{0}}', 'a')", "error: The following format string is invalid: {0}}"},
      {"format('}{0}', 'a')", "error: The following format string is invalid: }{0}"},
      {"format('{}', 'a')", "error: The following format string is invalid: {}"},
      {"format('{a}', 'a')", "error: The following format string is invalid: {a}"},
      {"format('{ 0}', 'a')", "error: The following format string is invalid: { 0}"},
      {"format('{0} {1}', 'a')",
       "error: The following format string references more arguments than were supplied: {0} {1}"},
      {"format('{0}')", "error: The following format string references more arguments than were supplied: {0}"},
  });
}

TEST_CASE("join", "[expr]") {
  check_rows({
      {"join(fromJSON('[\"a\",\"b\"]'))", "String \"a,b\""},
      {"join(fromJSON('[\"a\",\"b\"]'), ' | ')", "String \"a | b\""},
      {"join(fromJSON('[]'), '-')", "String \"\""},
      {"join(fromJSON('[1, null, true, 2.5]'), '-')", "String \"1--true-2.5\""},
      {"join(fromJSON('[[1], {}]'))", "String \"Array,Object\""},
      {"join('abc', '-')", "String \"abc\""},
      {"join(1)", "String \"1\""},
      {"join(null)", "String \"\""},
      {"join(github)", "String \"\""},
      {"join(matrix.node, 1)", "String \"18120\""},
      {"join(matrix.node, true)", "String \"18true20\""},
      {"join(matrix.node, null)", "String \"1820\""},
      // An array or object separator leaves the default in place, as the runner does.
      {"join(matrix.node, matrix.node)", "String \"18,20\""},
      {"join(matrix.node, github.event)", "String \"18,20\""},
      {"join(matrix.node, fromJSON('[]'))", "String \"18,20\""},
      // The separator is not read when nothing needs separating.
      {"join(fromJSON('[1]'), format('{'))", "String \"1\""},
  });
}

TEST_CASE("toJSON and fromJSON", "[expr]") {
  check_rows({
      {"toJSON(1)", "String \"1\""},
      {"toJSON(1.5)", "String \"1.5\""},
      {"toJSON('x')", "String \"\\\"x\\\"\""},
      {"toJSON(null)", "String \"null\""},
      {"toJSON(true)", "String \"true\""},
      {"toJSON(fromJSON('[]'))", "String \"[]\""},
      {"toJSON(fromJSON('{}'))", "String \"{}\""},
      {"toJSON(fromJSON('{\"b\":1,\"a\":[1,2]}'))", "String \"{\\n  \\\"b\\\": 1,\\n  \\\"a\\\": [\\n    1,\\n    2\\n  ]\\n}\""},
      {"toJSON(matrix)", "String \"{\\n  \\\"n\\\": 3,\\n  \\\"node\\\": [\\n    18,\\n    20\\n  ],\\n  \\\"os\\\": \\\"ubuntu-latest\\\"\\n}\""},
      {"fromJSON('1')", "Number 1"},
      {"fromJSON('1.25')", "Number 1.25"},
      {"fromJSON('\"x\"')", "String \"x\""},
      {"fromJSON('true')", "Boolean true"},
      {"fromJSON('null')", "Null null"},
      {"fromJSON(' [1, \"a\"] ')", "Array [1,\"a\"]"},
      {"fromJSON('{\"A\":1}').a", "Number 1"},
      {"fromJSON('')", "error: Error parsing fromJson"},
      {"fromJSON('{')", "error: Error parsing fromJson"},
      {"fromJSON('tru')", "error: Error parsing fromJson"},
      // Beyond double's range is Infinity, as .NET parses it for the runner's Newtonsoft reader.
      {"format('{0}', fromJSON('1e400'))", "String \"Infinity\""},
      {"fromJSON(' -1e400 ') == -Infinity", "Boolean true"},
      {"format('{0} {1}', fromJSON('[1e400, 2]')[0], fromJSON('[1e400, 2]')[1])", "String \"Infinity 2\""},
      {"format('{0}', fromJSON('{\"a\": [-1E999]}').a[0])", "String \"-Infinity\""},
      {"fromJSON('\"1e400\"')", "String \"1e400\""},
      {"format('{0}', fromJSON('1e40'))", "String \"1E+40\""},
      {"fromJSON('01e400')", "error: Error parsing fromJson"},
      // The reader stops after the first value; a number or literal must end at a delimiter.
      {"fromJSON('[1] trailing')", "Array [1]"},
      {"fromJSON('{\"a\": 1} {')", "Object {\"a\":1}"},
      {"fromJSON('1 2')", "Number 1"},
      {"fromJSON('\"a\"b')", "String \"a\""},
      {"fromJSON('1x')", "error: Error parsing fromJson"},
      {"fromJSON('truex')", "error: Error parsing fromJson"},
      {"fromJSON('[1,')", "error: Error parsing fromJson"},
      {"fromJSON(toJSON(github.event.commits))[1].author.name", "String \"Bob\""},
      {"fromJSON(inputs.count)", "Number 0"},
  });
}

TEST_CASE("case", "[expr]") {
  check_rows({
      {"case(true, 'a', 'b')", "String \"a\""},
      {"case(false, 'a', 'b')", "String \"b\""},
      {"case(false, 'a', true, 'c', 'd')", "String \"c\""},
      {"case(1 == 1, fromJSON('[1]'), null)", "Array [1]"},
      {"case(github.event_name == 'push', 'P', 'other')", "String \"P\""},
      {"case(true, 1, fromJSON('x'))", "Number 1"},
      {"case(1, 'a', 'b')", "error: case predicate must evaluate to a boolean value"},
      {"case(false, 'a', 'yes', 'b', 'c')", "error: case predicate must evaluate to a boolean value"},
      {"case(true, 'a', 'yes', 'b', 'c')", "String \"a\""},
  });
}

TEST_CASE("nested calls and Unicode keys", "[expr]") {
  check_rows({
      {"format('{0}', format('{0}', format('{0}', 'deep')))", "String \"deep\""},
      {"fromJSON('{\"Ärger\":1}').äRGER", "error: Unexpected symbol: 'äRGER'. Located at position 25 within expression: "
                                            "fromJSON('{\"Ärger\":1}').äRGER"},
      {"fromJSON('{\"Ärger\":1}')['äRGER']", "Number 1"},
      {"toJSON(1e15)", "String \"1000000000000000\""},
      {"toJSON('ü\"')", "String \"\\\"ü\\\\\\\"\\\"\""},
      {"toJSON(fromJSON('{\"a\":[],\"b\":{}}'))", "String \"{\\n  \\\"a\\\": [],\\n  \\\"b\\\": {}\\n}\""},
  });
}

TEST_CASE("status functions", "[expr]") {
  MapContext ctx;
  CHECK(run("success()", ctx) == "Boolean true");
  CHECK(run("failure()", ctx) == "Boolean false");
  CHECK(run("cancelled()", ctx) == "Boolean false");
  CHECK(run("always()", ctx) == "Boolean true");
  ctx.set_status(Status::failure);
  CHECK(run("success()", ctx) == "Boolean false");
  CHECK(run("failure()", ctx) == "Boolean true");
  CHECK(run("cancelled()", ctx) == "Boolean false");
  CHECK(run("always()", ctx) == "Boolean true");
  ctx.set_status(Status::cancelled);
  CHECK(run("success()", ctx) == "Boolean false");
  CHECK(run("failure()", ctx) == "Boolean false");
  CHECK(run("cancelled()", ctx) == "Boolean true");
  CHECK(run("!cancelled()", ctx) == "Boolean false");
}

TEST_CASE("hashFiles goes through the context", "[expr]") {
  MapContext ctx;
  CHECK(run("hashFiles('x')", ctx) == "error: hashFiles is not available here");
  std::vector<std::string> seen;
  ctx.set_hash_files([&seen](const std::vector<std::string>& patterns) -> pipeline::Result<std::string> {
    seen = patterns;
    return std::string("d1g3st");
  });
  CHECK(run("hashFiles('**/*.lock', 1)", ctx) == "String \"d1g3st\"");
  CHECK(seen == std::vector<std::string>{"**/*.lock", "1"});
}

TEST_CASE("missing contexts read as null", "[expr]") {
  MapContext ctx;
  CHECK(run("github", ctx) == "Null null");
  CHECK(run("github.ref", ctx) == "Null null");
  CHECK(run("secrets.TOKEN || 'none'", ctx) == "String \"none\"");
}

TEST_CASE("an evaluated array keeps its identity", "[expr]") {
  MapContext ctx = pipeline::workflow::expr::test::sample_context();
  auto ast = parse("github.event.commits");
  REQUIRE(ast);
  auto a = evaluate(*ast, ctx);
  auto b = evaluate(*ast, ctx);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->same_as(*b));
  CHECK(values_equal(*a, *b));
}
