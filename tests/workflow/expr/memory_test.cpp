// The runner's 1 MiB bound on what format, join and toJSON build: counted as .NET strings
// (26 bytes each plus 2 per UTF-16 unit), an evaluation error past it, never unbounded memory.
#include <catch2/catch.hpp>

#include <string>

#include "expr_support.hpp"

using namespace pipeline::workflow::expr;
using pipeline::workflow::expr::test::run;

namespace {

constexpr const char* k_exceeded = "error: The maximum allowed memory size was exceeded while evaluating the following expression: ";

// A context with a string of `length` ASCII characters under env.BIG and an array of `count`
// one-character strings under env.MANY.
MapContext big_context(std::size_t length, std::size_t count) {
  MapContext ctx;
  Value env = Value::object(KeyCase::sensitive);
  env.set("BIG", Value(std::string(length, 'x')));
  Value many = Value::array();
  for (std::size_t i = 0; i < count; ++i) {
    many.push_back(Value("a"));
  }
  env.set("MANY", many);
  ctx.set("env", env);
  return ctx;
}

// `depth` nested format('{0}{0}', ...) around 'x': 2^depth characters if nothing stopped it.
std::string doubling(int depth) {
  std::string expression = "'x'";
  for (int i = 0; i < depth; ++i) {
    expression = "format('{0}{0}', " + expression + ")";
  }
  return expression;
}

}  // namespace

TEST_CASE("format stops at the runner's memory bound", "[expr]") {
  // 300,000 characters are 600,026 bytes: once fits, twice does not.
  auto ctx = big_context(300000, 0);
  CHECK(run("format('{0}', env.BIG) == env.BIG", ctx) == "Boolean true");
  CHECK(run("format('{0}{0}', env.BIG)", ctx) == std::string(k_exceeded) + "format('{0}{0}', env.BIG)");
  // The nineteenth doubling appends two strings of 2^18 characters (1,048,628 bytes with their
  // overhead): past the bound, so the evaluation fails instead of growing; eighteen fit.
  MapContext empty;
  CHECK(run(doubling(18) + " != ''", empty) == "Boolean true");
  CHECK(run(doubling(19), empty).rfind(k_exceeded, 0) == 0);
  CHECK(run(doubling(40), empty).rfind(k_exceeded, 0) == 0);
}

TEST_CASE("join stops at the runner's memory bound", "[expr]") {
  // Each item and each separator count 26 bytes besides their characters: 1 MiB holds 18,725
  // one-character items joined by one-character separators (2 * 18,725 - 1 strings of 28 bytes
  // is 1,048,572 bytes) and not 18,726.
  auto fits = big_context(0, 18725);
  CHECK(run("join(env.MANY, '-') != ''", fits) == "Boolean true");
  auto too_many = big_context(0, 18726);
  CHECK(run("join(env.MANY, '-')", too_many) == std::string(k_exceeded) + "join(env.MANY, '-')");
  auto big = big_context(600000, 0);
  CHECK(run("join(fromJSON('[1, 2]'), env.BIG)", big) ==
        std::string(k_exceeded) + "join(fromJSON('[1, 2]'), env.BIG)");
}

TEST_CASE("toJSON stops at the runner's memory bound", "[expr]") {
  auto small = big_context(500000, 0);
  CHECK(run("toJSON(env.BIG) != ''", small) == "Boolean true");
  auto big = big_context(600000, 0);
  CHECK(run("toJSON(env)", big) == std::string(k_exceeded) + "toJSON(env)");
}

TEST_CASE("the memory error quotes the call as an expression", "[expr]") {
  auto ctx = big_context(300000, 0);
  CHECK(run("startsWith(format('{0}{1}{2}', env['BIG'], env.*[0], env.BIG), 'x') || !(1 < 2)", ctx) ==
        std::string(k_exceeded) + "format('{0}{1}{2}', env['BIG'], env.*[0], env.BIG)");
}
