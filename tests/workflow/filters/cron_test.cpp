#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "workflow/filters/cron.hpp"

using pipeline::workflow::filters::validate_cron;

TEST_CASE("cron: valid expressions", "[cron]") {
  const std::vector<std::string> valid = {
      "* * * * *",       "30 5 * * 1,3",    "0 0 1 1 *",          "*/15 * * * *",
      "0 9-17/2 * * MON-FRI", "0 0 * JAN,jul SUN", "59 23 31 12 6",  "0-59/5 0 1-31 1-12 0-6",
      "  0   0 * * *  ", "5,10,15 * * * *", "0 0 * DEC SAT",
  };
  for (const auto& expression : valid) {
    INFO(expression);
    CHECK_FALSE(validate_cron(expression).has_value());
  }
}

TEST_CASE("cron: invalid expressions name the field", "[cron]") {
  struct Case {
    std::string expression;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"", "empty cron expression"},
      {"* * * *", "cron expression '* * * *' has 4 fields; expected 5 (minute hour day-of-month month day-of-week)"},
      {"* * * * * *", "cron expression '* * * * * *' has 6 fields; expected 5 (minute hour day-of-month month day-of-week)"},
      {"60 * * * *", "minute field '60': 60 is out of range 0-59"},
      {"* 24 * * *", "hour field '24': 24 is out of range 0-23"},
      {"* * 0 * *", "day of month field '0': 0 is out of range 1-31"},
      {"* * 32 * *", "day of month field '32': 32 is out of range 1-31"},
      {"* * * 13 *", "month field '13': 13 is out of range 1-12 or JAN-DEC"},
      {"* * * FOO *", "month field 'FOO': 'FOO' is not a value in 1-12 or JAN-DEC"},
      {"* * * * 7", "day of week field '7': 7 is out of range 0-6 or SUN-SAT"},
      {"* * * * MON-FUN", "day of week field 'MON-FUN': 'FUN' is not a value in 0-6 or SUN-SAT"},
      {"*/0 * * * *", "minute field '*/0': step '0' must be a positive number"},
      {"*/x * * * *", "minute field '*/x': step 'x' must be a positive number"},
      {"5-1 * * * *", "minute field '5-1': range goes backwards"},
      {"1,,2 * * * *", "minute field '1,,2': empty list item"},
      {"-1 * * * *", "minute field '-1': '' is not a value in 0-59"},
  };
  for (const auto& c : cases) {
    INFO(c.expression);
    const auto problem = validate_cron(c.expression);
    REQUIRE(problem.has_value());
    CHECK(*problem == c.message);
  }
}
