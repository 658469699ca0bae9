// Terminal columns of UTF-8 text, and cutting it to a width.
#include <catch2/catch.hpp>

#include "runner/engine/text_width.hpp"

using namespace pipeline::runner::engine;

TEST_CASE("display width counts columns, not bytes", "[live]") {
  struct Row {
    std::string text;
    std::size_t width;
  };
  auto row = GENERATE(Row{"", 0}, Row{"abc", 3}, Row{"✓ ok", 4}, Row{"ビルド", 6}, Row{"한국어", 6},
                      Row{"e\xcc\x81", 1},          // e + combining acute accent
                      Row{"🚀 go", 5}, Row{"a\xff" "b", 3},  // an invalid byte is one column
                      Row{"\xe2\x82", 2});           // a cut sequence: two invalid bytes
  INFO(row.text);
  CHECK(display_width(row.text) == row.width);
}

TEST_CASE("truncate_to_width cuts at a character boundary and marks the cut", "[live]") {
  CHECK(truncate_to_width("short", 10) == "short");
  CHECK(truncate_to_width("exactly10!", 10) == "exactly10!");
  CHECK(truncate_to_width("a longer line", 6) == "a lon…");
  CHECK(truncate_to_width("ビルドする", 6) == "ビル…");  // a wide character never splits
  CHECK(truncate_to_width("ビルドする", 5) == "ビル…");
  CHECK(truncate_to_width("bad\xff", 10) == "bad?");
  CHECK(truncate_to_width("a\x1b[31mb\tc", 20) == "a [31mb c");
  CHECK(truncate_to_width("abc", 0).empty());
  for (std::size_t width = 0; width < 12; ++width) {
    CHECK(display_width(truncate_to_width("日本語のテキストです", width)) <= width);
  }
}
