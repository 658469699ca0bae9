#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>
#include <atomic>
#include <unistd.h>

#include "expr_support.hpp"
#include "support/temp_dir.hpp"
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
  // Mixed text is one format() expression on GitHub: a status function anywhere in it drops the
  // implicit success(), and the non-empty text is then truthy whatever the job's state.
  CHECK(condition("${{ always() }} && ${{ false }}", Status::failure) == "true");
  CHECK(condition("${{ github.event_name }} && ${{ false }}", Status::failure) == "false");
  CHECK(condition("${{ github.event_name }} && ${{ false }}") == "true");
  CHECK(condition("x ${{ fromJSON('x') }}", Status::failure) == "false");  // short-circuited, no error
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
  // A pattern naming a directory takes in every file under it, as @actions/glob's implicit
  // descendants do; the directory itself is not hashed.
  auto dirs = hash_files(root, {"sub"});
  REQUIRE(dirs);
  auto below = hash_files(root, {"sub/b.lock"});
  REQUIRE(below);
  CHECK(*dirs == *below);
  fs::remove_all(root);
}

TEST_CASE("glob segments take character classes and escapes", "[expr]") {
  CHECK(glob_segment_match("[ab].txt", "a.txt"));
  CHECK(glob_segment_match("[ab].txt", "b.txt"));
  CHECK_FALSE(glob_segment_match("[ab].txt", "c.txt"));
  CHECK(glob_segment_match("[a-c]x", "bx"));
  CHECK_FALSE(glob_segment_match("[a-c]x", "dx"));
  CHECK(glob_segment_match("[!a]x", "bx"));
  CHECK_FALSE(glob_segment_match("[!a]x", "ax"));
  CHECK(glob_segment_match("[^a]x", "bx"));
  CHECK(glob_segment_match("a[", "a["));  // no closing ']': an ordinary character
  CHECK(glob_segment_match("\\*", "*"));
  CHECK_FALSE(glob_segment_match("\\*", "x"));
  CHECK(glob_segment_match("*", ".hidden"));  // dot files match like any other
  CHECK(glob_match("[ab]/*.txt", "b/x.txt"));
}

namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::string digest(const fs::path& root, const std::vector<std::string>& args, const std::string& visible = {}) {
  auto r = hash_files(root, args, visible);
  return r ? *r : "error: " + r.error().message;
}

}  // namespace

TEST_CASE("hashFiles: pathological patterns on a deep tree finish", "[expr]") {
  // Without a memo each `**` and each `*` tries every split: billions of steps here.
  pipeline::test::TempDir tmp("hash-patho");
  const fs::path ws = tmp.path / "ws";
  const std::string name(40, 'a');
  fs::path deep = ws;
  for (int level = 0; level < 24; ++level) {
    deep /= name;
  }
  write_file(deep / (name + "b"), "leaf");
  std::string globstars;
  for (int i = 0; i < 16; ++i) {
    globstars += "**/";
  }
  std::string stars;
  for (int i = 0; i < 16; ++i) {
    stars += "*a";
  }
  CHECK(digest(ws, {globstars + stars + "*c"}).empty());
  CHECK(digest(ws, {globstars + stars + "*b"}).size() == 64);
  CHECK_FALSE(glob_segment_match(stars + "*c", std::string(200, 'a')));
  CHECK_FALSE(glob_match(globstars + stars + "*c", (fs::path(name) / name / name / name / name / name / name / name).string() +
                                                     "/" + std::string(100, 'a')));
}

TEST_CASE("hashFiles: directories, trailing slashes, classes and exclusions", "[expr]") {
  pipeline::test::TempDir tmp("hash-rules");
  const fs::path ws = tmp.path / "ws";
  write_file(ws / "sub" / "b.lock", "two");
  write_file(ws / "sub" / "deep" / "c.lock", "three");
  write_file(ws / "a.lock", "one");

  const std::string sub = digest(ws, {"sub/**"});
  CHECK(sub.size() == 64);
  CHECK(digest(ws, {"sub"}) == sub);
  CHECK(digest(ws, {"sub/"}) == sub);
  CHECK(digest(ws, {"./sub"}) == sub);
  CHECK(digest(ws, {"[s]ub"}) == sub);
  CHECK(digest(ws, {"[st]ub/**/*.lock"}) == sub);
  // A trailing '/' matches directories only, but the implicit `a.lock/**` beside it matches the
  // file itself (the runner's quirk: `x/**` matches `x`), so the file is still hashed.
  CHECK(digest(ws, {"a.lock/"}) == digest(ws, {"a.lock"}));
  CHECK(digest(ws, {"**", "!sub"}) == "fe8d7a873dc48961a6af334c996b2cb3ce37149d5ce9c9253952a54c6a92c1ad");
  CHECK(digest(ws, {"**\n!sub\n# a comment\n  \n"}) == digest(ws, {"a.lock"}));
  CHECK(digest(ws, {"!sub", "**"}) == digest(ws, {"**"}));  // an exclusion only removes earlier matches
  CHECK(digest(ws, {"sub/../a.lock"}).rfind("error: ", 0) == 0);
  CHECK(digest(ws, {"--bogus", "**"}).rfind("error: hashFiles: invalid glob option --bogus", 0) == 0);
}

TEST_CASE("hashFiles visits files in the runner's order", "[expr]") {
  // Depth first, each directory's names in byte order: a/b, then a-b, then a.txt (a plain sort
  // of the paths would put a/b last). Digests are sha256 over the files' sha256s in that order.
  pipeline::test::TempDir tmp("hash-order");
  write_file(tmp.path / "a" / "b", "1");
  write_file(tmp.path / "a-b", "2");
  write_file(tmp.path / "a.txt", "3");
  CHECK(digest(tmp.path, {"**"}) == "1ea51598cbb9b3744ebfe90ff77cdee9f3c646b25808015c78bb7aa070961c3d");
  // Search roots come in pattern order.
  CHECK(digest(tmp.path, {"a-b", "a.txt", "a/**"}) ==
        "ddf68feb872a32980477d818e57fbfce2d3d7711eb8d2b4638b2e27e215df031");
}

TEST_CASE("hashFiles takes absolute patterns inside the workspace only", "[expr]") {
  pipeline::test::TempDir tmp("hash-absolute");
  const fs::path ws = tmp.path / "ws";
  write_file(ws / "a.lock", "one");
  write_file(tmp.path / "outside.lock", "zero");
  const std::string one = digest(ws, {"a.lock"});
  CHECK(one.size() == 64);
  CHECK(digest(ws, {ws.string() + "/a.lock"}) == one);
  CHECK(digest(ws, {ws.string() + "/*.lock"}) == one);
  CHECK(digest(ws, {tmp.path.string() + "/**/*.lock"}) == one);  // the walk stays in the workspace
  CHECK(digest(ws, {tmp.path.string() + "/outside.lock"}).empty());
  // In a container, github.workspace names the same directory by another path.
  CHECK(digest(ws, {"/github/workspace/a.lock"}, "/github/workspace") == one);
  CHECK(digest(ws, {"a.lock"}, "/github/workspace") == one);
}

TEST_CASE("hashFiles and symbolic links", "[expr]") {
  pipeline::test::TempDir tmp("hash-links");
  const fs::path ws = tmp.path / "ws";
  write_file(ws / "real" / "x.txt", "x");
  write_file(tmp.path / "outside.txt", "o");
  fs::create_symlink(ws / "real" / "x.txt", ws / "file-link");
  fs::create_symlink(ws / "real", ws / "dir-link");
  fs::create_symlink(tmp.path / "outside.txt", ws / "out-link");
  fs::create_symlink(ws / "real", ws / "real" / "loop");  // a cycle

  // A link to a file is hashed with its target's content, wherever the target is.
  CHECK(digest(ws, {"file-link"}) == digest(ws, {"real/x.txt"}));
  CHECK(digest(ws, {"out-link"}) == digest(tmp.path, {"outside.txt"}));
  // Without --follow-symbolic-links, a link to a directory is not entered.
  CHECK(digest(ws, {"dir-link"}).empty());
  CHECK(digest(ws, {"dir-link/**"}).empty());
  CHECK(digest(ws, {"real/**"}) == digest(ws, {"real/x.txt"}));
  // With it, linked directories are entered, and a link to a directory being walked is skipped.
  CHECK(digest(ws, {"--follow-symbolic-links", "dir-link"}) == digest(ws, {"real/x.txt"}));
  CHECK(digest(ws, {"--Follow-Symbolic-Links", "real/**"}) == digest(ws, {"real/x.txt"}));
  CHECK(digest(ws, {"--follow-symbolic-links", "**/x.txt"}) == digest(ws, {"dir-link/x.txt", "real/x.txt"}));

  // A broken link fails the hash, as the runner's script does, unless links are followed.
  fs::create_symlink(ws / "missing", ws / "broken");
  CHECK(digest(ws, {"broken"}).rfind("error: hashFiles: cannot read", 0) == 0);
  CHECK(digest(ws, {"--follow-symbolic-links", "broken", "real/x.txt"}) == digest(ws, {"real/x.txt"}));
}
