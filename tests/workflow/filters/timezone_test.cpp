#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "workflow/filters/timezone.hpp"

using pipeline::workflow::filters::sibling_timezones;
using pipeline::workflow::filters::validate_timezone;

TEST_CASE("timezone: names of the system's zone database", "[timezone]") {
  if (!std::filesystem::is_directory(std::string(pipeline::workflow::filters::k_zoneinfo_dir))) {
    WARN("skipped: no time zone database under /usr/share/zoneinfo (Debian's tzdata)");
    return;
  }
  for (const char* name : {"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "America/Argentina/Buenos_Aires",
                           "Etc/GMT+5"}) {
    INFO(name);
    CHECK_FALSE(validate_timezone(name).has_value());
  }
  for (const char* name : {"Europe/Berln", "Mars/Olympus", "Europe", "iso3166"}) {
    INFO(name);
    CHECK(validate_timezone(name) == std::optional<std::string>("unknown time zone"));
  }
  CHECK(validate_timezone("zone.tab").has_value());  // the database's tables are not zones
  const auto europe = sibling_timezones("Europe/Berln");
  CHECK(std::find(europe.begin(), europe.end(), "Europe/Berlin") != europe.end());
}

TEST_CASE("timezone: names that cannot be zones, with or without a database", "[timezone]") {
  for (const char* dir : {"/usr/share/zoneinfo", "/nonexistent-zoneinfo"}) {
    for (const char* name : {"", "/etc/passwd", "../etc/passwd", "Europe/../../etc", "Europe/Berlin ", "Europe//Berlin"}) {
      INFO(dir << " " << name);
      CHECK(validate_timezone(name, dir).has_value());
    }
  }
  CHECK_FALSE(validate_timezone("Europe/Berlin", "/nonexistent-zoneinfo").has_value());
  CHECK(sibling_timezones("Europe/Berln", "/nonexistent-zoneinfo").empty());
}
