#include <catch2/catch.hpp>

#include "workflow/yaml_node.hpp"

using namespace pipeline::workflow;

namespace {

Node parse_ok(const std::string& text) {
  YamlParse parsed = parse_yaml(text, "t.yml");
  INFO(text);
  REQUIRE(parsed.diagnostics.empty());
  REQUIRE(parsed.root.has_value());
  return *parsed.root;
}

std::string first_error(const std::string& text) {
  YamlParse parsed = parse_yaml(text, "t.yml");
  REQUIRE_FALSE(parsed.diagnostics.empty());
  return parsed.diagnostics.front().message;
}

}  // namespace

TEST_CASE("plain scalars are typed as GitHub types them", "[yaml]") {
  struct Row {
    const char* text;
    Node::Kind kind;
  };
  const Row rows[] = {
      {"v: true", Node::Kind::boolean},   {"v: False", Node::Kind::boolean},  {"v: TRUE", Node::Kind::boolean},
      {"v: yes", Node::Kind::string},     {"v: on", Node::Kind::string},      {"v: 12", Node::Kind::number},
      {"v: -1.5e3", Node::Kind::number},  {"v: 0x1F", Node::Kind::number},    {"v: 0o17", Node::Kind::number},
      {"v: .inf", Node::Kind::number},    {"v: 1.2.3", Node::Kind::string},   {"v: '12'", Node::Kind::string},
      {"v: \"true\"", Node::Kind::string}, {"v: ~", Node::Kind::null},         {"v: null", Node::Kind::null},
      {"v:", Node::Kind::null},           {"v: |\n  12\n", Node::Kind::string}, {"v: !!str 12", Node::Kind::string},
      {"v: ubuntu-latest", Node::Kind::string},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    const Node root = parse_ok(row.text);
    REQUIRE(root.find("v") != nullptr);
    CHECK(root.find("v")->kind == row.kind);
  }
}

TEST_CASE("locations are 1-based and keys keep their own", "[yaml]") {
  const Node root = parse_ok("on: push\njobs:\n  build:\n    runs-on: x\n");
  const Node* jobs = root.find("jobs");
  REQUIRE(jobs != nullptr);
  const NodeEntry& build = jobs->entries.at(0);
  CHECK(build.key_where.line == 3);
  CHECK(build.key_where.column == 3);
  CHECK(build.value.find("runs-on")->where.line == 4);
  CHECK(build.value.find("runs-on")->where.column == 14);
  CHECK(build.value.find("runs-on")->where.file == "t.yml");
}

TEST_CASE("anchors, aliases and merge keys resolve", "[yaml]") {
  const Node root = parse_ok(
      "base: &base {a: 1, b: 2}\n"
      "other: &other {b: 3, c: 4}\n"
      "copy: *base\n"
      "merged:\n"
      "  <<: [*base, *other]\n"
      "  a: 10\n"
      "single:\n"
      "  <<: *other\n");
  CHECK(root.find("copy")->find("b")->scalar == "2");
  const Node* merged = root.find("merged");
  CHECK(merged->find("a")->scalar == "10");  // written keys win
  CHECK(merged->find("b")->scalar == "2");   // the first merged mapping wins
  CHECK(merged->find("c")->scalar == "4");
  CHECK(merged->find("<<") == nullptr);
  CHECK(root.find("single")->find("c")->scalar == "4");
}

TEST_CASE("a quoted '<<' is an ordinary key", "[yaml]") {
  const Node root = parse_ok("m:\n  '<<': {a: 1}\n");
  CHECK(root.find("m")->find("<<") != nullptr);
}

TEST_CASE("malformed and hostile input becomes a diagnostic", "[yaml]") {
  CHECK(first_error("a: [1, 2\n") == "invalid YAML: end of sequence flow not found");
  CHECK(first_error("a: 1\na: 2\n") == "key 'a' is already defined");
  CHECK(first_error(std::string("a: 1\0b", 6)).find("NUL byte") != std::string::npos);
  CHECK(first_error("a: caf\xe9\n") == "file is not valid UTF-8");
  CHECK(first_error("a: \xc3\n") == "file is not valid UTF-8");
  CHECK(first_error(std::string(k_max_yaml_bytes + 1, ' ')).find("larger than 5 MiB") != std::string::npos);
  CHECK(first_error("m:\n  <<: 5\n").find("merge key") != std::string::npos);
  CHECK(first_error("? [a]\n: 1\n") == "a mapping key must be a string");
}

TEST_CASE("deep nesting never overflows the stack", "[yaml]") {
  for (const std::size_t depth : {200, 5000, 200000}) {
    const std::string flow = std::string(depth, '[') + std::string(depth, ']');
    YamlParse parsed = parse_yaml(flow, "deep.yml");
    CHECK_FALSE(parsed.root.has_value());
    // One clear error; yaml-cpp giving up later on the same input adds nothing ("bad file").
    REQUIRE(parsed.diagnostics.size() == 1);
    CHECK(parsed.diagnostics[0].message == "values are nested more than 128 levels deep");
  }
  std::string block;
  for (int i = 0; i < 3000; ++i) {
    block += std::string(static_cast<std::size_t>(i), ' ') + "- \n";
  }
  CHECK_FALSE(parse_yaml(block, "deep.yml").root.has_value());
}

TEST_CASE("self-referencing and exploding aliases are refused", "[yaml]") {
  CHECK_FALSE(parse_yaml("a: &a [*a]\n", "t.yml").root.has_value());
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'h'; ++c) {
    const char prev = static_cast<char>(c - 1);
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) {
      bomb += std::string(i ? ", " : "") + "*" + prev;
    }
    bomb += "]\n";
  }
  YamlParse parsed = parse_yaml(bomb, "bomb.yml");
  CHECK_FALSE(parsed.root.has_value());
  REQUIRE_FALSE(parsed.diagnostics.empty());
  CHECK(parsed.diagnostics.front().message.find("expands to more than") != std::string::npos);
}

TEST_CASE("too many values without aliases are refused without blaming aliases", "[yaml]") {
  std::string list = "a:\n";
  for (int i = 0; i < 200001; ++i) {
    list += "- []\n";  // collections are what the cap counts
  }
  YamlParse parsed = parse_yaml(list, "long.yml");
  CHECK_FALSE(parsed.root.has_value());
  REQUIRE(parsed.diagnostics.size() == 1);
  CHECK(parsed.diagnostics[0].message == "document has more than 200000 values");
}

TEST_CASE("an empty document is null", "[yaml]") {
  for (const char* text : {"", "\n\n", "# only a comment\n"}) {
    YamlParse parsed = parse_yaml(text, "t.yml");
    REQUIRE(parsed.root.has_value());
    CHECK(parsed.root->is_null());
  }
}
