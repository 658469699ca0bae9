#include "runner/services/artifact_names.hpp"

#include <array>
#include <cstdio>
#include <ctime>

namespace pipeline::runner::services {

namespace {

// The characters @actions/artifact refuses in names, with the words it uses for them.
struct Forbidden {
  char c;
  const char* shown;
};
constexpr std::array<Forbidden, 11> k_forbidden{{{'"', "double quote \""},
                                                 {':', "colon :"},
                                                 {'<', "less than <"},
                                                 {'>', "greater than >"},
                                                 {'|', "vertical bar |"},
                                                 {'*', "asterisk *"},
                                                 {'?', "question mark ?"},
                                                 {'\r', "carriage return \\r"},
                                                 {'\n', "line feed \\n"},
                                                 {'\\', "backslash \\"},
                                                 {'/', "forward slash /"}}};

constexpr std::size_t k_max_name_bytes = 255;  // one path component on Linux file systems

bool digits(std::string_view text, std::size_t at, std::size_t count, int& value) {
  value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') {
      return false;
    }
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<std::string> artifact_name_problem(std::string_view name) {
  const std::string quoted = "artifact name '" + std::string(name) + "' ";
  if (name.empty()) {
    return "artifact name is empty";
  }
  for (const auto& forbidden : k_forbidden) {
    if (name.find(forbidden.c) != std::string_view::npos) {
      return quoted + "contains the forbidden character " + forbidden.shown;
    }
  }
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20) {
      return quoted + "contains a control character";
    }
  }
  if (name == "." || name == "..") {
    return quoted + "names a directory, not an artifact";
  }
  if (name.size() > k_max_name_bytes) {
    return quoted + "is longer than " + std::to_string(k_max_name_bytes) + " bytes";
  }
  return std::nullopt;
}

std::optional<std::int64_t> parse_timestamp(std::string_view text) {
  std::tm tm{};
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!digits(text, 0, 4, year) || text.size() < 20 || text[4] != '-' || !digits(text, 5, 2, month) ||
      text[7] != '-' || !digits(text, 8, 2, day) || (text[10] != 'T' && text[10] != 't') ||
      !digits(text, 11, 2, hour) || text[13] != ':' || !digits(text, 14, 2, minute) || text[16] != ':' ||
      !digits(text, 17, 2, second)) {
    return std::nullopt;
  }
  std::size_t at = 19;
  if (text[at] == '.') {
    ++at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      ++at;
    }
  }
  if (at + 1 != text.size() || (text[at] != 'Z' && text[at] != 'z') || month < 1 || month > 12 || day < 1 ||
      day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string format_timestamp(std::int64_t seconds) {
  const auto time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  std::array<char, 32> buffer{};
  std::strftime(buffer.data(), buffer.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer.data();
}

}  // namespace pipeline::runner::services
