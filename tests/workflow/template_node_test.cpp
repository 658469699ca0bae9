// YAML values evaluated as GitHub's template evaluator does: keys with `${{ }}` and the
// `${{ insert }}` directive, as used in `strategy.matrix`.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "workflow/template_node.hpp"
#include "workflow/yaml_node.hpp"

using namespace pipeline::workflow;

namespace {

expr::MapContext sample_context() {
  expr::MapContext ctx;
  ctx.set("needs", expr::Value::from_json(nlohmann::json::parse(R"({
    "prep": {"result": "success", "outputs": {
      "key": "os", "axes": "{\"node\": [18, 20], \"arch\": [\"x64\"]}", "one": "{\"os\": \"linux\"}"}}})")));
  ctx.set("inputs", expr::Value::from_json(nlohmann::json::parse(R"({"extra": "yes"})")));
  return ctx;
}

// Evaluates the YAML `text` and renders the value as compact JSON (key order kept), or
// `error: message`.
std::string evaluate(const char* text) {
  auto parsed = parse_yaml(text, "m.yml");
  INFO(text);
  REQUIRE(parsed.root);
  auto ctx = sample_context();
  auto value = evaluate_template_node(*parsed.root, ctx);
  if (!value) {
    return "error: " + value.error().message;
  }
  return nlohmann::ordered_json(value->to_json()).dump();
}

}  // namespace

TEST_CASE("a key with an expression is evaluated", "[expr]") {
  CHECK(evaluate("${{ needs.prep.outputs.key }}: [a, b]") == R"({"os":["a","b"]})");
  CHECK(evaluate("k-${{ inputs.extra }}: 1") == R"({"k-yes":1})");
  CHECK(evaluate("plain: ${{ inputs.extra }}") == R"({"plain":"yes"})");
}

TEST_CASE("${{ insert }} puts a mapping's entries in its place", "[expr]") {
  CHECK(evaluate("a: [1]\n${{ insert }}: ${{ fromJSON(needs.prep.outputs.axes) }}\nz: [2]") ==
        R"({"a":[1],"node":[18,20],"arch":["x64"],"z":[2]})");
  CHECK(evaluate("${{insert}}:\n  os: [x]\n  ${{ needs.prep.outputs.key }}-2: [y]") == R"({"os":["x"],"os-2":["y"]})");
  CHECK(evaluate("include:\n  - ${{ insert }}: ${{ fromJSON(needs.prep.outputs.one) }}\n    arch: arm") ==
        R"({"include":[{"os":"linux","arch":"arm"}]})");
}

TEST_CASE("template keys fail with the key's location", "[expr]") {
  CHECK(evaluate("x: 1\n${{ insert }}: [a]") == "error: m.yml:2:1: '${{ insert }}' needs a mapping, not Array");
  CHECK(evaluate("os: [a]\n${{ insert }}: ${{ fromJSON(needs.prep.outputs.one) }}") ==
        "error: m.yml:2:1: The key 'os' is already defined");
  CHECK(evaluate("os: [a]\n${{ needs.prep.outputs.key }}: [b]") == "error: m.yml:2:1: The key 'os' is already defined");
  CHECK(evaluate("${{ fromJSON('x') }}: [a]") == "error: m.yml:1:1: Error parsing fromJson");
}

TEST_CASE("the insert directive is only the whole key", "[expr]") {
  CHECK(is_insert_directive("${{ insert }}"));
  CHECK(is_insert_directive("${{insert}}"));
  CHECK(is_insert_directive("${{ \n insert  }}"));
  CHECK_FALSE(is_insert_directive("${{ insert }}x"));
  CHECK_FALSE(is_insert_directive(" ${{ insert }}"));
  CHECK_FALSE(is_insert_directive("${{ Insert }}"));
  CHECK_FALSE(is_insert_directive("insert"));
  CHECK_FALSE(is_insert_directive("${{ inputs.insert }}"));
}
