#include <catch2/catch.hpp>

#include "workflow/matrix_size.hpp"
#include "workflow/yaml_node.hpp"

using namespace pipeline::workflow;

TEST_CASE("matrix sizes follow GitHub's include and exclude rules", "[matrix]") {
  struct Row {
    const char* matrix;
    std::optional<std::size_t> size;
  };
  const Row rows[] = {
      {"{os: [a, b], v: [1, 2, 3]}", 6},
      {"{os: [a, b], v: [1, 2, 3], exclude: [{os: a, v: 1}]}", 5},
      {"{os: [a, b], v: [1, 2], exclude: [{os: a}]}", 2},
      // Extends the os=a combinations with a new key: no new combination.
      {"{os: [a, b], include: [{os: a, extra: x}]}", 2},
      // Contradicts every original combination: becomes its own.
      {"{os: [a, b], include: [{os: c}]}", 3},
      {"{os: [a], v: [1], include: [{os: a, v: 2}]}", 2},
      {"{include: [{a: 1}, {a: 2}]}", 2},
      {"{os: ['${{ fromJSON(x) }}']}", 1},
      {"'${{ fromJSON(needs.a.outputs.m) }}'", std::nullopt},
      {"{os: '${{ fromJSON(x) }}'}", std::nullopt},
      {"{os: [a], include: '${{ fromJSON(x) }}'}", std::nullopt},
      {"{os: [a, b], v: []}", 0},
      {"{os: [{name: a}, {name: b}], exclude: [{os: {name: a}}]}", 1},
  };
  for (const auto& row : rows) {
    INFO(row.matrix);
    const YamlParse parsed = parse_yaml(std::string("m: ") + row.matrix, "m.yml");
    REQUIRE(parsed.root.has_value());
    CHECK(static_matrix_size(*parsed.root->find("m")) == row.size);
  }
}
