#include "runner/services/artifact_names.hpp"

#include <catch2/catch.hpp>

using namespace pipeline::runner::services;

TEST_CASE("artifact names refuse paths and GitHub's forbidden characters", "[services]") {
  struct Case {
    const char* name;
    const char* problem;  // nullptr: valid
  };
  const Case cases[] = {
      {"bundle", nullptr},
      {"my artifact (1).tar.gz", nullptr},
      {"..hidden", nullptr},
      {"", "artifact name is empty"},
      {"a/b", "artifact name 'a/b' contains the forbidden character forward slash /"},
      {"..", "artifact name '..' names a directory, not an artifact"},
      {".", "artifact name '.' names a directory, not an artifact"},
      {"../up", "artifact name '../up' contains the forbidden character forward slash /"},
      {"a\\b", "artifact name 'a\\b' contains the forbidden character backslash \\"},
      {"a:b", "artifact name 'a:b' contains the forbidden character colon :"},
      {"what?", "artifact name 'what?' contains the forbidden character question mark ?"},
      {"tab\there", "artifact name 'tab\there' contains a control character"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const auto problem = artifact_name_problem(c.name);
    if (c.problem) {
      REQUIRE(problem.has_value());
      CHECK(*problem == c.problem);
    } else {
      CHECK_FALSE(problem.has_value());
    }
  }
  CHECK(artifact_name_problem(std::string(256, 'a')).has_value());
}

TEST_CASE("timestamps read and write protobuf JSON's RFC 3339 form", "[services]") {
  CHECK(parse_timestamp("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_timestamp("2026-12-05T01:30:00Z") == 1796434200);
  CHECK(parse_timestamp("2026-12-05T01:30:00.123456789Z") == 1796434200);
  CHECK(format_timestamp(1796434200) == "2026-12-05T01:30:00Z");
  for (const char* bad : {"", "2026-12-05", "2026-12-05T01:30:00", "2026-12-05T01:30:00+01:00", "2026-13-05T01:30:00Z",
                          "x026-12-05T01:30:00Z"}) {
    INFO(bad);
    CHECK_FALSE(parse_timestamp(bad).has_value());
  }
}
