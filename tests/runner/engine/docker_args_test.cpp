// `with: args` of a docker:// step, split as GitHub's runner splits it.
#include <catch2/catch.hpp>

#include "runner/engine/shell.hpp"

using pipeline::runner::engine::split_arguments;
using Args = std::vector<std::string>;

TEST_CASE("docker:// args split on whitespace, double quotes group", "[docker-args]") {
  CHECK(split_arguments("raw docker  step") == Args{"raw", "docker", "step"});
  CHECK(split_arguments(R"(-c "echo hello world")") == Args{"-c", "echo hello world"});
  CHECK(split_arguments(R"(a"b c"d)") == Args{"ab cd"});
  CHECK(split_arguments(R"(x "" y)") == Args{"x", "", "y"});
  CHECK(split_arguments("  ").empty());
}

TEST_CASE("docker:// args: backslashes escape double quotes, single quotes are plain", "[docker-args]") {
  CHECK(split_arguments(R"("say \"hi\"")") == Args{R"(say "hi")"});
  CHECK(split_arguments(R"(a\\b c\\\\"d e")") == Args{R"(a\\b)", R"(c\\d e)"});
  CHECK(split_arguments(R"("in ""quotes""")") == Args{R"(in "quotes")"});
  CHECK(split_arguments("'two words'") == Args{"'two", "words'"});
}
