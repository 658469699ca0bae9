#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>
#include <atomic>
#include <unistd.h>

#include "expr_support.hpp"
#include "workflow/expr/hash_files.hpp"

using namespace pipeline::workflow::expr;
using pipeline::workflow::expr::test::describe;
using pipeline::workflow::expr::test::sample_context;

namespace {

std::string tmpl(std::string_view text) {
  MapContext ctx = sample_context();
  return describe(evaluate_template(text, ctx));
}

std::string condition(std::string_view text, Status status = Status::success) {
  MapContext ctx = sample_context();
  ctx.set_status(status);
  auto r = evaluate_condition(text, ctx);
  return r ? (*r ? "true" : "false") : "error: " + r.error().message;
}

}  // namespace

TEST_CASE("templates split into literal and expression segments", "[expr]") {
  auto parts = split_template("a ${{ x }} b ${{'}}'}}c");
  REQUIRE(parts);
  REQUIRE(parts->size() == 5);
  CHECK(parts->at(0).text == "a ");
  CHECK(parts->at(1).kind == Segment::Kind::expression);
  CHECK(parts->at(1).text == "x");
  CHECK(parts->at(1).offset == 6);
  CHECK(parts->at(1).start == 2);
  CHECK(parts->at(2).text == " b ");
  CHECK(parts->at(3).text == "'}}'");
  CHECK(parts->at(4).text == "c");
  auto tail = split_template("${{ 1 }}c");
  REQUIRE(tail);
  CHECK(tail->back().text == "c");
  CHECK(split_template("${{ 1 ").error().message ==
        "The expression is not closed. An unescaped ${{ sequence was found, but the closing }} sequence was not found.");
  CHECK(split_template("x ${{   }} y").error().message == "An expression was expected.");
  CHECK(split_template("no expressions")->size() == 1);
  CHECK(split_template("")->empty());
  CHECK(has_expression("a${{b"));
  CHECK_FALSE(has_expression("${ {"));
}

TEST_CASE("templates keep the type of a lone expression and build strings otherwise", "[expr]") {
  struct Row {
    const char* text;
    const char* expected;
  };
  const Row rows[] = {
      {"${{ 1 }}", "Number 1"},
      {"${{ github.event.draft }}", "Boolean false"},
      {"${{ matrix.node }}", "Array [18,20]"},
      {"${{ null }}", "Null null"},
      {" ${{ 1 }}", "String \" 1\""},
      {"v${{ 1.50 }}-${{ true }}", "String \"v1.5-true\""},
      {"${{ github.ref }}${{ null }}!", "String \"refs/heads/main!\""},
      {"${{ matrix }} and ${{ matrix.node }}", "String \"Object and Array\""},
      {"plain text", "String \"plain text\""},
      {"", "String \"\""},
      {"{0} ${{ '{1}' }}", "String \"{0} {1}\""},
      {"${{ format('{0}', '}}') }}", "String \"}}\""},
      {"${{ 'it''s' }}", "String \"it's\""},
      {"${{ nope }}", "error: Unrecognized named-value: 'nope'. Located at position 1 within expression: nope"},
      {"x ${{ 1 <  }}", "error: Unexpected end of expression: '<'. Located at position 3 within expression: 1 <"},
      {"${{ fromJSON('x') }}", "error: Error parsing fromJson"},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    CHECK(tmpl(row.text) == row.expected);
  }
}

TEST_CASE("if: conditions", "[expr]") {
  CHECK(condition("") == "true");
  CHECK(condition("  ") == "true");
  CHECK(condition("", Status::failure) == "false");
  CHECK(condition("", Status::cancelled) == "false");
  CHECK(condition("github.event_name == 'push'") == "true");
  CHECK(condition("${{ github.event_name == 'push' }}") == "true");
  CHECK(condition("  ${{ github.event_name == 'pull_request' }}  ") == "false");
  CHECK(condition("github.event_name == 'push'", Status::failure) == "false");  // success() && (...)
  CHECK(condition("always()", Status::failure) == "true");
  CHECK(condition("failure()", Status::failure) == "true");
  CHECK(condition("failure() && github.ref == 'x'", Status::failure) == "false");
  CHECK(condition("cancelled()", Status::cancelled) == "true");
  CHECK(condition("always() && github.event_name == 'push'", Status::cancelled) == "true");
  CHECK(condition("!cancelled()", Status::failure) == "true");
  CHECK(condition("'false'") == "true");   // a non-empty string is truthy
  CHECK(condition("0") == "false");
  CHECK(condition("inputs.count") == "false");
  CHECK(condition("inputs.flag") == "true");
  CHECK(condition("github.nope") == "false");
  CHECK(condition("fromJSON('x')", Status::failure) == "false");  // short-circuited, no error
  CHECK(condition("fromJSON('x')") == "error: Error parsing fromJson");
  CHECK(condition("github.ref ==") ==
        "error: Unexpected end of expression: '=='. Located at position 12 within expression: github.ref ==");
  CHECK(condition("${{ false }} || true") == "true");  // mixed text: a non-empty string
  const auto source = condition_source("  ${{ a == b }} ");
  CHECK(source.expression == "a == b");
  CHECK(source.offset == 6);
  CHECK_FALSE(source.is_template);
}

TEST_CASE("parse_cached returns the same AST and is thread-safe", "[expr]") {
  auto a = parse_cached("github.ref == 'x'");
  auto b = parse_cached("github.ref == 'x'");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->root == b->root);
  CHECK(parse_cached("github.ref", ParseOptions::only({"env"})).error().message ==
        "Unrecognized named-value: 'github'. Located at position 1 within expression: github.ref");
  CHECK(parse_cached("github.ref"));
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&ok, t] {
      for (int i = 0; i < 500; ++i) {
        MapContext ctx;
        auto r = evaluate_template("${{ " + std::to_string(i % 50 + t) + " }}", ctx);
        if (r && r->as_number() == i % 50 + t) {
          ++ok;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  CHECK(ok == 2000);
}

TEST_CASE("glob matching for hashFiles", "[expr]") {
  CHECK(glob_match("*.txt", "a.txt"));
  CHECK_FALSE(glob_match("*.txt", "d/a.txt"));
  CHECK(glob_match("**/*.txt", "a.txt"));
  CHECK(glob_match("**/*.txt", "d/e/a.txt"));
  CHECK(glob_match("d/**", "d/e/a.txt"));
  CHECK(glob_match("?.txt", "a.txt"));
  CHECK_FALSE(glob_match("?.txt", "ab.txt"));
  CHECK(glob_match("**", "x/y"));
}

TEST_CASE("hashFiles digests matching files under a root", "[expr]") {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("pipe-expr-hash-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "sub");
  std::ofstream(root / "a.lock") << "one";
  std::ofstream(root / "sub" / "b.lock") << "two";
  std::ofstream(root / "c.txt") << "three";

  auto none = hash_files(root, {"**/*.nothing"});
  REQUIRE(none);
  CHECK(none->empty());
  auto all = hash_files(root, {"**/*.lock"});
  REQUIRE(all);
  CHECK(all->size() == 64);
  auto top = hash_files(root, {"*.lock"});
  REQUIRE(top);
  CHECK(*top != *all);
  auto negated = hash_files(root, {"**/*.lock", "!sub/**"});
  REQUIRE(negated);
  CHECK(*negated == *top);
  // sha256(sha256("one")) — one matching file.
  CHECK(*top == "fe8d7a873dc48961a6af334c996b2cb3ce37149d5ce9c9253952a54c6a92c1ad");
  auto dirs = hash_files(root, {"sub"});
  REQUIRE(dirs);
  CHECK(dirs->empty());  // directories never match
  fs::remove_all(root);
}
