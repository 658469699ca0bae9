#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "workflow/plan/matrix.hpp"

using namespace pipeline::workflow::plan;
using Json = nlohmann::ordered_json;

namespace {

// Expands `matrix` and renders each combination as compact JSON, keeping key order.
std::vector<std::string> expand(const char* matrix) {
  auto combinations = expand_matrix(Json::parse(matrix));
  INFO(matrix);
  REQUIRE(combinations.ok());
  std::vector<std::string> texts;
  for (const auto& combination : *combinations) {
    texts.push_back(combination.dump());
  }
  return texts;
}

std::string expand_error(const char* matrix) {
  auto combinations = expand_matrix(Json::parse(matrix));
  REQUIRE_FALSE(combinations.ok());
  return combinations.error().message;
}

}  // namespace

// "Adding a matrix strategy to your workflow job": six jobs, first key varies slowest.
TEST_CASE("matrix: cartesian product in key order", "[matrix]") {
  CHECK(expand(R"({"version": [10, 12, 14], "os": ["ubuntu-latest", "windows-latest"]})") ==
        std::vector<std::string>{
            R"({"version":10,"os":"ubuntu-latest"})", R"({"version":10,"os":"windows-latest"})",
            R"({"version":12,"os":"ubuntu-latest"})", R"({"version":12,"os":"windows-latest"})",
            R"({"version":14,"os":"ubuntu-latest"})", R"({"version":14,"os":"windows-latest"})",
        });
}

// "Expanding or adding matrix configurations": the fruit/animal example, exactly.
TEST_CASE("matrix: include semantics (fruit and animal)", "[matrix]") {
  CHECK(expand(R"({
      "fruit": ["apple", "pear"], "animal": ["cat", "dog"],
      "include": [
        {"color": "green"},
        {"color": "pink", "animal": "cat"},
        {"fruit": "apple", "shape": "circle"},
        {"fruit": "banana"},
        {"fruit": "banana", "animal": "cat"}
      ]})") ==
        std::vector<std::string>{
            R"({"fruit":"apple","animal":"cat","color":"pink","shape":"circle"})",
            R"({"fruit":"apple","animal":"dog","color":"green","shape":"circle"})",
            R"({"fruit":"pear","animal":"cat","color":"pink"})",
            R"({"fruit":"pear","animal":"dog","color":"green"})",
            R"({"fruit":"banana"})",
            R"({"fruit":"banana","animal":"cat"})",
        });
}

TEST_CASE("matrix: documented include and exclude examples", "[matrix]") {
  // "Example: Expanding configurations": npm joins only windows-latest / 16.
  const auto expanded = expand(R"({"os": ["windows-latest", "ubuntu-latest"], "node": [12, 14, 16],
      "include": [{"os": "windows-latest", "node": 16, "npm": 6}]})");
  REQUIRE(expanded.size() == 6);
  CHECK(expanded[2] == R"({"os":"windows-latest","node":16,"npm":6})");
  CHECK(expanded[5] == R"({"os":"ubuntu-latest","node":16})");

  // "Example: Adding configurations": 9 combinations plus windows-latest / 17.
  const auto added = expand(R"({"os": ["macos-latest", "windows-latest", "ubuntu-latest"],
      "version": [12, 14, 16], "include": [{"os": "windows-latest", "version": 17}]})");
  REQUIRE(added.size() == 10);
  CHECK(added.back() == R"({"os":"windows-latest","version":17})");

  // Include-only matrix: one job per entry.
  CHECK(expand(R"({"include": [{"site": "production", "datacenter": "site-a"},
                               {"site": "staging", "datacenter": "site-b"}]})") ==
        std::vector<std::string>{R"({"site":"production","datacenter":"site-a"})",
                                 R"({"site":"staging","datacenter":"site-b"})"});

  // "Excluding matrix configurations": 12 - 1 - 2 = 9, partial matches count.
  const auto excluded = expand(R"({"os": ["macos-latest", "windows-latest"], "version": [12, 14, 16],
      "environment": ["staging", "production"],
      "exclude": [{"os": "macos-latest", "version": 12, "environment": "production"},
                  {"os": "windows-latest", "version": 16}]})");
  CHECK(excluded.size() == 9);
  CHECK(std::find(excluded.begin(), excluded.end(),
                  R"({"os":"macos-latest","version":12,"environment":"production"})") == excluded.end());
  CHECK(std::find(excluded.begin(), excluded.end(),
                  R"({"os":"macos-latest","version":12,"environment":"staging"})") != excluded.end());

  // "Handling failures": include adds version 9 as its own job.
  CHECK(expand(R"({"version": [6, 7, 8], "experimental": [false],
                   "include": [{"version": 9, "experimental": true}]})") ==
        std::vector<std::string>{R"({"version":6,"experimental":false})", R"({"version":7,"experimental":false})",
                                 R"({"version":8,"experimental":false})", R"({"version":9,"experimental":true})"});
}

TEST_CASE("matrix: include is applied after exclude and can add back", "[matrix]") {
  CHECK(expand(R"({"os": ["a", "b"], "exclude": [{"os": "b"}], "include": [{"os": "b", "x": 1}]})") ==
        std::vector<std::string>{R"({"os":"a"})", R"({"os":"b","x":1})"});
}

TEST_CASE("matrix: object values and empty matrices", "[matrix]") {
  CHECK(expand("null") == std::vector<std::string>{"{}"});
  CHECK(expand("{}") == std::vector<std::string>{"{}"});
  CHECK(expand(R"({"cfg": [{"cc": "gcc", "v": 12}, {"cc": "clang", "v": 17}],
                   "exclude": [{"cfg": {"cc": "clang", "v": 17}}]})") ==
        std::vector<std::string>{R"({"cfg":{"cc":"gcc","v":12}})"});
}

TEST_CASE("matrix: errors", "[matrix]") {
  CHECK(expand_error(R"({"os": []})") == "matrix vector 'os' does not contain any values");
  CHECK(expand_error(R"({"os": "linux"})") == R"(matrix vector 'os' must be a list, not "linux")");
  CHECK(expand_error(R"([1])") == "matrix must be a mapping, not [1]");
  CHECK(expand_error(R"({"os": ["a"], "exclude": [{"arch": "x"}]})") ==
        "matrix exclude key 'arch' does not match any key within the matrix");
  CHECK(expand_error(R"({"os": ["a"], "include": ["x"]})") ==
        R"(each matrix 'include' entry must be a mapping, not "x")");
  CHECK(expand_error(R"({"os": ["a"], "exclude": [{"os": "a"}]})") == "matrix exclude removes every combination");
  CHECK(expand_error(R"({"include": []})") == "matrix defines no vectors and no include entries");
}

TEST_CASE("matrix: GitHub's 256 job limit", "[matrix]") {
  Json matrix = Json::object();
  matrix["a"] = Json::array();
  matrix["b"] = Json::array();
  for (int i = 0; i < 16; ++i) {
    matrix["a"].push_back(i);
    matrix["b"].push_back(i);
  }
  CHECK(expand_matrix(matrix)->size() == 256);
  matrix["include"] = Json::array({Json{{"a", 99}}});
  auto over = expand_matrix(matrix);
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().message == "matrix expands to 257 jobs; GitHub allows at most 256");
}

TEST_CASE("matrix: job names", "[matrix]") {
  struct Case {
    const char* combination;
    std::string name;
  };
  const std::vector<Case> cases = {
      {R"({"os": "ubuntu", "node": 18})", "build (ubuntu, 18)"},
      {R"({})", "build"},
      {R"({"cfg": {"cc": "gcc", "v": 12}, "debug": true})", "build (gcc, 12, true)"},
      {R"({"list": [1, 2], "x": null, "f": 1.5})", "build (1, 2, , 1.5)"},
  };
  for (const auto& c : cases) {
    CHECK(matrix_job_name("build", Json::parse(c.combination)) == c.name);
  }
}

TEST_CASE("matrix: --matrix filters", "[matrix]") {
  auto combinations = expand_matrix(Json::parse(R"({"os": ["linux", "mac"], "node": [16, 18, 20]})"));
  REQUIRE(combinations.ok());
  auto parse = [](const char* text) { return parse_matrix_filter(text).value(); };
  CHECK(filter_combinations(*combinations, {}).size() == 6);
  CHECK(filter_combinations(*combinations, {parse("os=linux")}).size() == 3);
  CHECK(filter_combinations(*combinations, {parse("os=linux"), parse("node:18")}).size() == 1);
  CHECK(filter_combinations(*combinations, {parse("node=16"), parse("node=20")}).size() == 4);
  CHECK(filter_combinations(*combinations, {parse("arch=x64")}).empty());
  CHECK(parse("k=a=b").value == "a=b");
  auto bad = parse_matrix_filter("novalue");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "invalid matrix filter 'novalue': expected KEY=VALUE");
}
