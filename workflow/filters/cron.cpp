#include "workflow/filters/cron.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <vector>

namespace pipeline::workflow::filters {
namespace {

struct FieldSpec {
  const char* name;
  int min;
  int max;
  std::array<const char*, 12> names;  // symbolic values, index = value - min; empty when none
};

const std::array<FieldSpec, 5> k_fields = {{
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day of month", 1, 31, {}},
    {"month", 1, 12, {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
    {"day of week", 0, 6, {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
}};

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) {
      return parts;
    }
    start = end + 1;
  }
}

std::vector<std::string_view> split_whitespace(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
    const std::size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
    if (i > start) {
      words.push_back(text.substr(start, i - start));
    }
  }
  return words;
}

std::string upper(std::string_view text) {
  std::string result(text);
  for (char& c : result) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return result;
}

std::optional<int> parse_number(std::string_view text) {
  int value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return value;
}

std::string range_text(const FieldSpec& field) {
  std::string text = std::to_string(field.min) + "-" + std::to_string(field.max);
  if (field.names[0] != nullptr) {
    text += " or " + std::string(field.names[0]) + "-" +
            field.names[static_cast<std::size_t>(field.max - field.min)];
  }
  return text;
}

std::string problem(const FieldSpec& field, std::string_view text, const std::string& why) {
  return std::string(field.name) + " field '" + std::string(text) + "': " + why;
}

// One value of a field: a number or, for month and day of week, a name.
std::optional<std::string> check_value(const FieldSpec& field, std::string_view text,
                                       std::string_view whole, int& out) {
  if (auto number = parse_number(text)) {
    if (*number < field.min || *number > field.max) {
      return problem(field, whole, std::to_string(*number) + " is out of range " + range_text(field));
    }
    out = *number;
    return std::nullopt;
  }
  const std::string name = upper(text);
  for (std::size_t i = 0; i < field.names.size(); ++i) {
    const char* known = field.names[i];
    if (known != nullptr && name == known) {
      out = field.min + static_cast<int>(i);
      return std::nullopt;
    }
  }
  return problem(field, whole, "'" + std::string(text) + "' is not a value in " + range_text(field));
}

std::optional<std::string> check_step(const FieldSpec& field, std::string_view step,
                                      std::string_view whole) {
  auto number = parse_number(step);
  if (!number || *number < 1) {
    return problem(field, whole, "step '" + std::string(step) + "' must be a positive number");
  }
  return std::nullopt;
}

// One comma-separated item: `*`, `V`, `A-B`, each optionally followed by `/STEP`.
std::optional<std::string> check_item(const FieldSpec& field, std::string_view item,
                                      std::string_view word) {
  if (item.empty()) {
    return problem(field, word, "empty list item");
  }
  std::string_view base = item;
  const std::size_t slash = item.find('/');
  if (slash != std::string_view::npos) {
    base = item.substr(0, slash);
    if (auto bad = check_step(field, item.substr(slash + 1), item)) {
      return bad;
    }
  }
  if (base == "*") {
    return std::nullopt;
  }
  const std::size_t dash = base.find('-');
  int low = 0;
  if (dash == std::string_view::npos) {
    return check_value(field, base, item, low);
  }
  int high = 0;
  if (auto bad = check_value(field, base.substr(0, dash), item, low)) {
    return bad;
  }
  if (auto bad = check_value(field, base.substr(dash + 1), item, high)) {
    return bad;
  }
  if (high < low) {
    return problem(field, item, "range goes backwards");
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> validate_cron(std::string_view expression) {
  const auto words = split_whitespace(expression);
  if (words.empty()) {
    return "empty cron expression";
  }
  if (words.size() != k_fields.size()) {
    return "cron expression '" + std::string(expression) + "' has " + std::to_string(words.size()) +
           " fields; expected 5 (minute hour day-of-month month day-of-week)";
  }
  for (std::size_t i = 0; i < k_fields.size(); ++i) {
    for (auto item : split(words[i], ',')) {
      if (auto bad = check_item(k_fields[i], item, words[i])) {
        return bad;
      }
    }
  }
  return std::nullopt;
}

}  // namespace pipeline::workflow::filters
