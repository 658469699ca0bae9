#include <catch2/catch.hpp>

#include "runner/output/workflow_command.hpp"

using namespace pipeline::runner::output;
using Props = std::vector<std::pair<std::string, std::string>>;

TEST_CASE("modern and legacy command lines parse", "[commands]") {
  struct Row {
    std::string line;
    std::string name;
    Props properties;
    std::string data;
  };
  const std::vector<Row> rows = {
      {"::warning::hello", "warning", {}, "hello"},
      {"   ::debug::  spaced  ", "debug", {}, "  spaced  "},
      {"::error file=a.c,line=3,col=7::bad", "error", {{"file", "a.c"}, {"line", "3"}, {"col", "7"}}, "bad"},
      {"::error  file=a.c ,, =x,y=,title=a%3Ab%2Cc%25d::m", "error", {{"file", "a.c "}, {" ", "x"}, {"title", "a:b,c%d"}}, "m"},
      {"::set-output name=x,name=y::v", "set-output", {{"name", "y"}}, "v"},
      {"::set-output name=a==b::v", "set-output", {{"name", "a==b"}}, "v"},
      {"::add-mask::l1%0Al2%0D%25%0A", "add-mask", {}, "l1\nl2\r%\n"},
      {"::add-mask::%250A", "add-mask", {}, "%0A"},
      {"::endgroup::", "endgroup", {}, ""},
      {"::group::a::b", "group", {}, "a::b"},
      {"prefix ##[warning]legacy%3B%5D", "warning", {}, "legacy;]"},
      {"##[error file=x.c;line=2]oops", "error", {{"file", "x.c"}, {"line", "2"}}, "oops"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.line);
    const auto command = parse_workflow_command(row.line);
    REQUIRE(command);
    CHECK(command->name == row.name);
    CHECK(command->properties == row.properties);
    CHECK(command->data == row.data);
  }
}

TEST_CASE("lines that are not commands", "[commands]") {
  for (std::string line : {"", "plain text", ":: ::x", "x ::warning::not at start", "::warning no end", "####[x",
                           "##[warning no bracket", "::::data"}) {
    CAPTURE(line);
    CHECK_FALSE(parse_workflow_command(line));
  }
}
