#include <catch2/catch.hpp>

#include "workflow/diagnostic.hpp"

using namespace pipeline::workflow;

TEST_CASE("edit distance counts single-character edits", "[diagnostic]") {
  CHECK(edit_distance("runs-on", "runs-on") == 0);
  CHECK(edit_distance("runs_on", "runs-on") == 1);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("closest match suggests near names only", "[diagnostic]") {
  const std::vector<std::string> keys{"runs-on", "steps", "needs", "strategy"};
  CHECK(closest_match("runs_on", keys) == "runs-on");
  CHECK(closest_match("step", keys) == "steps");
  CHECK(closest_match("banana", keys).empty());
}

TEST_CASE("a diagnostic prints location, source line and caret", "[diagnostic]") {
  Diagnostic d{Severity::error, {"ci.yml", 2, 5}, "unknown key 'runs_on'", "did you mean 'runs-on'?"};
  const std::string source = "jobs:\n    runs_on: x\n";
  CHECK(format_diagnostic(d, source) ==
        "ci.yml:2:5: error: unknown key 'runs_on'\n"
        "      runs_on: x\n"
        "      ^\n"
        "  did you mean 'runs-on'?\n");
}

TEST_CASE("swapping two adjacent characters is one edit", "[diagnostic]") {
  CHECK(edit_distance("wiht", "with") == 1);
  CHECK(edit_distance("ab", "ba") == 1);
  CHECK(closest_match("wiht", {"with", "env"}) == "with");
}
