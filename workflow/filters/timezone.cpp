#include "workflow/filters/timezone.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

namespace pipeline::workflow::filters {
namespace {

namespace fs = std::filesystem;

// Every file of the database starts with this magic (RFC 8536); other files there (tables,
// `leapseconds`, `tzdata.zi`) are not zones.
bool is_tzif(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  char magic[4] = {};
  in.read(magic, sizeof magic);
  return in.gcount() == 4 && std::string_view(magic, 4) == "TZif";
}

bool has_zone_form(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.back() == '/' || name.find("..") != std::string_view::npos ||
      name.find("//") != std::string_view::npos) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+';
  });
}

}  // namespace

std::optional<std::string> validate_timezone(std::string_view name, std::string_view zoneinfo_dir) {
  if (!has_zone_form(name)) {
    return "not an IANA time zone name such as 'Europe/Berlin' or 'UTC'";
  }
  std::error_code ec;
  if (!fs::is_directory(zoneinfo_dir, ec)) {
    return std::nullopt;  // no database to look in: the form is all that can be checked
  }
  const fs::path file = fs::path(zoneinfo_dir) / name;
  if (!fs::is_regular_file(file, ec) || !is_tzif(file)) {
    return "unknown time zone";
  }
  return std::nullopt;
}

std::vector<std::string> sibling_timezones(std::string_view name, std::string_view zoneinfo_dir) {
  const auto slash = name.rfind('/');
  const std::string prefix = slash == std::string_view::npos ? "" : std::string(name.substr(0, slash + 1));
  if (!prefix.empty() && !has_zone_form(std::string_view(prefix).substr(0, prefix.size() - 1))) {
    return {};
  }
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(zoneinfo_dir) / prefix, ec)) {
    if (entry.is_regular_file(ec) && is_tzif(entry.path())) {
      names.push_back(prefix + entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace pipeline::workflow::filters
