#include <catch2/catch.hpp>
#include <cmath>

#include <nlohmann/json.hpp>

#include "workflow/expr/unicode_case.hpp"
#include "workflow/expr/value.hpp"

using namespace pipeline::workflow::expr;

TEST_CASE("numbers format like .NET G15", "[expr]") {
  struct Row {
    double value;
    const char* text;
  };
  const Row rows[] = {
      {1.0, "1"},
      {-0.0, "0"},
      {0.0, "0"},
      {120, "120"},
      {1.5, "1.5"},
      {-2.25, "-2.25"},
      {0.1 + 0.2, "0.3"},
      {1.0 / 3.0, "0.333333333333333"},
      {2.0 / 3.0, "0.666666666666667"},
      {1e15, "1E+15"},
      {1.5e15, "1.5E+15"},
      {999999999999999.0, "999999999999999"},
      {123456789012345678.0, "1.23456789012346E+17"},
      {1e-5, "1E-05"},
      {1.5e-5, "1.5E-05"},
      {0.0001, "0.0001"},
      {0.000123, "0.000123"},
      {1e-7, "1E-07"},
      {1e100, "1E+100"},
      {-1e21, "-1E+21"},
      {3.14159265358979323846, "3.14159265358979"},
      {std::numeric_limits<double>::infinity(), "Infinity"},
      {-std::numeric_limits<double>::infinity(), "-Infinity"},
      {std::nan(""), "NaN"},
      {42, "42"},
      {100000, "100000"},
      {255, "255"},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    CHECK(format_number(row.value) == row.text);
  }
}

TEST_CASE("strings parse to numbers like JavaScript Number()", "[expr]") {
  struct Row {
    const char* text;
    double value;
  };
  const Row rows[] = {
      {"", 0},         {"   ", 0},       {"1", 1},           {" 0x02 ", 2},    {"0xff", 255},
      {"0o17", 15},     {".5", 0.5},        {"5.", 5},        {"1e3", 1000},
      {"1E-2", 0.01},  {"+3", 3},        {"-3.5", -3.5},     {"\t\n7\r", 7},   {"0x7FFFFFFF", 2147483647},
      {"0xFFFFFFFF", -1}, {"Infinity", INFINITY}, {"-Infinity", -INFINITY}, {"007", 7},
      // Leading zeros after the prefix do not count towards the 8 hex / 11 octal digits.
      {"0x000000001", 1}, {"0x00000000FFFFFFFF", -1}, {"0x0000", 0}, {"0o000000000000017", 15},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    CHECK(parse_number(row.text) == row.value);
  }
  for (const char* bad : {"abc", "1a", "0x", "0xG", "1e", "e5", ".", "-", "1 2", "0o8", "infinity", "1,000", "0b1",
                          "0x123456789", "0x100000000", "0o40000000000",
                          // The runner takes lower-case prefixes only.
                          "0XFF", "0X10", "0O17"}) {
    INFO(bad);
    CHECK(std::isnan(parse_number(bad)));
  }
}

TEST_CASE("values convert to display strings and numbers", "[expr]") {
  CHECK(Value().to_display_string().empty());
  CHECK(Value(true).to_display_string() == "true");
  CHECK(Value(false).to_display_string() == "false");
  CHECK(Value(3.0).to_display_string() == "3");
  CHECK(Value("x").to_display_string() == "x");
  CHECK(Value::array().to_display_string() == "Array");
  CHECK(Value::object().to_display_string() == "Object");
  CHECK(Value().to_number() == 0);
  CHECK(Value(true).to_number() == 1);
  CHECK(Value(false).to_number() == 0);
  CHECK(Value(" 12 ").to_number() == 12);
  CHECK(std::isnan(Value::array().to_number()));
  CHECK(std::isnan(Value::object().to_number()));
  CHECK(Value().kind_name() == "Null");
  CHECK(Value(true).kind_name() == "Boolean");
  CHECK(Value(1).kind_name() == "Number");
  CHECK(Value("").kind_name() == "String");
  CHECK(Value::array().kind_name() == "Array");
  CHECK(Value::object().kind_name() == "Object");
}

TEST_CASE("truthiness", "[expr]") {
  CHECK_FALSE(Value().is_truthy());
  CHECK_FALSE(Value(false).is_truthy());
  CHECK_FALSE(Value(0).is_truthy());
  CHECK_FALSE(Value(-0.0).is_truthy());
  CHECK_FALSE(Value(std::nan("")).is_truthy());
  CHECK_FALSE(Value("").is_truthy());
  CHECK(Value("0").is_truthy());
  CHECK(Value("false").is_truthy());
  CHECK(Value(-1).is_truthy());
  CHECK(Value::array().is_truthy());
  CHECK(Value::object().is_truthy());
}

TEST_CASE("objects keep insertion order and match keys by case", "[expr]") {
  Value o = Value::object();
  o.set("Zeta", Value(1)).set("alpha", Value(2)).set("ZETA", Value(3));
  REQUIRE(o.as_object().size() == 2);
  CHECK(o.as_object().entries()[0].key == "Zeta");
  CHECK(o.find("zeta")->as_number() == 3);
  CHECK(o.find("ALPHA")->as_number() == 2);
  CHECK(o.find("beta") == nullptr);
  CHECK(o.to_json().dump() == R"({"Zeta":3,"alpha":2})");

  Value env = Value::object(KeyCase::sensitive);
  env.set("Path", Value("a")).set("PATH", Value("b"));
  CHECK(env.as_object().size() == 2);
  CHECK(env.find("Path")->as_string() == "a");
  CHECK(env.find("PATH")->as_string() == "b");
  CHECK(env.find("path") == nullptr);
}

TEST_CASE("JSON round trip", "[expr]") {
  const auto j = nlohmann::json::parse(R"({"b":[1,2.5,"x",null,true],"a":{"c":{}}})");
  const Value v = Value::from_json(j);
  CHECK(v.find("B")->as_array().size() == 5);
  CHECK(v.to_json().dump() == R"({"a":{"c":{}},"b":[1,2.5,"x",null,true]})");
}

TEST_CASE("Unicode simple upper-case mapping", "[expr]") {
  struct Row {
    char32_t lower;
    char32_t upper;
  };
  const Row rows[] = {
      {U'a', U'A'},   {U'z', U'Z'},   {U'[', U'['},   {U'é', U'É'},   {U'ÿ', U'Ÿ'},   {U'µ', U'Μ'},
      {U'ā', U'Ā'},   {U'ł', U'Ł'},   {U'ž', U'Ž'},   {U'ǆ', U'Ǆ'},   {U'α', U'Α'},   {U'ς', U'Σ'},
      {U'σ', U'Σ'},   {U'ω', U'Ω'},   {U'ά', U'Ά'},   {U'ώ', U'Ώ'},   {U'я', U'Я'},   {U'ё', U'Ё'},
      {U'ѣ', U'Ѣ'},   {U'ӕ', U'Ӕ'},   {U'ա', U'Ա'},   {U'ֆ', U'Ֆ'},   {U'ạ', U'Ạ'},   {U'ἀ', U'Ἀ'},
      {U'ⅰ', U'Ⅰ'},   {U'ⓐ', U'Ⓐ'},   {U'ａ', U'Ａ'},  {U'ı', U'ı'},   {U'ſ', U'ſ'},   {U'ß', U'ß'},
      {U'A', U'A'},   {U'Σ', U'Σ'},   {U'中', U'中'},  {U'𐐨', U'𐐀'},
  };
  for (const auto& row : rows) {
    INFO(static_cast<unsigned>(row.lower));
    CHECK(simple_upper(row.lower) == row.upper);
  }
}

TEST_CASE("case-insensitive text operations", "[expr]") {
  CHECK(equals_ignore_case("ΣΊΣΥΦΟΣ", "σίσυφος"));
  CHECK(equals_ignore_case("ς", "σ"));
  CHECK(equals_ignore_case("Straße", "STRAßE"));
  CHECK_FALSE(equals_ignore_case("Straße", "STRASSE"));
  CHECK(equals_ignore_case("Привет", "ПРИВЕТ"));
  CHECK_FALSE(equals_ignore_case("ı", "I"));
  CHECK(compare_ignore_case("A", "[") < 0);
  CHECK(compare_ignore_case("a", "[") < 0);  // 'A' (0x41) < '[' (0x5B)
  CHECK(compare_ignore_case("_", "a") > 0);  // '_' (0x5F) > 'A' (0x41)
  CHECK(compare_ignore_case("abc", "ABD") < 0);
  CHECK(compare_ignore_case("abc", "ab") > 0);
  CHECK(compare_ignore_case("", "") == 0);
  CHECK(compare_ignore_case("\xEF\xBF\xBF", "\xF0\x90\x80\x80") > 0);  // UTF-16 order: U+FFFF > surrogates
  CHECK(contains_ignore_case("Hello World", "WORLD"));
  CHECK(contains_ignore_case("ΑΒΓ", "βγ"));
  CHECK(contains_ignore_case("abc", ""));
  CHECK_FALSE(contains_ignore_case("abc", "abcd"));
  CHECK(starts_with_ignore_case("Ärger", "äR"));
  CHECK(ends_with_ignore_case("λόγος", "ΟΣ"));
  CHECK_FALSE(ends_with_ignore_case("os", "xos"));
  CHECK(fold_key("github") == "GITHUB");
  CHECK(fold_key("ünïcode") == "ÜNÏCODE");
  CHECK(utf16_length("aé𐐀") == 4);
  CHECK(equals_ignore_case("\xFF", "\xFF"));
  CHECK_FALSE(equals_ignore_case("\xFF", "\xFE"));
}

TEST_CASE("integers of any width become numbers", "[expr]") {
  CHECK(Value(std::size_t{7}).as_number() == 7);
  CHECK(Value(-3L).as_number() == -3);
  CHECK(Value(2u).as_number() == 2);
  CHECK(Value(true).is_boolean());
  CHECK(Value(1.5f).as_number() == 1.5);
}

TEST_CASE("non-ASCII keys match ignoring case", "[expr]") {
  Value o = Value::object();
  o.set("Ärger", Value(1)).set("σοφία", Value(2));
  CHECK(o.find("ärger")->as_number() == 1);
  CHECK(o.find("ΣΟΦΊΑ")->as_number() == 2);
  CHECK(o.find("ςοφία")->as_number() == 2);
}

TEST_CASE("large objects are indexed and keep behaving the same", "[expr]") {
  Value o = Value::object();
  for (int i = 0; i < 40; ++i) {
    o.set("Key" + std::to_string(i), Value(i));
  }
  o.set("KEY3", Value(-3));
  CHECK(o.as_object().size() == 40);
  CHECK(o.find("key3")->as_number() == -3);
  CHECK(o.find("KEY39")->as_number() == 39);
  CHECK(o.find("key40") == nullptr);
  CHECK(o.as_object().entries()[3].key == "Key3");
  Value env = Value::object(KeyCase::sensitive);
  for (int i = 0; i < 40; ++i) {
    env.set("V" + std::to_string(i), Value(i));
  }
  CHECK(env.find("V20")->as_number() == 20);
  CHECK(env.find("v20") == nullptr);
}
