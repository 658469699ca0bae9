#include "runner/docker/volumes.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include <nlohmann/json.hpp>

namespace pipeline::runner::docker {
namespace {

constexpr std::array<std::string_view, 14> k_modes{"ro",     "rw",     "z",        "Z",       "shared",
                                                   "slave",  "private", "rshared", "rslave",  "rprivate",
                                                   "nocopy", "consistent", "cached", "delegated"};

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string::size_type start = 0;
  while (true) {
    const auto end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) {
      return parts;
    }
    start = end + 1;
  }
}

// Docker's rule for volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+.
bool is_volume_name(const std::string& text) {
  if (text.size() < 2 || std::isalnum(static_cast<unsigned char>(text.front())) == 0) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
  });
}

bool is_mode(const std::string& text) {
  const auto modes = split(text, ',');
  return std::all_of(modes.begin(), modes.end(),
                     [](const std::string& mode) { return std::find(k_modes.begin(), k_modes.end(), mode) != k_modes.end(); });
}

}  // namespace

Result<VolumeSpec> parse_volume(const std::string& text) {
  const auto parts = split(text, ':');
  if (parts.size() > 3 || text.empty()) {
    return Error{"volume '" + text + "' is not of the form SOURCE:TARGET[:MODE] or TARGET"};
  }
  VolumeSpec volume;
  if (parts.size() == 1) {
    volume.target = parts[0];
  } else {
    volume.source = parts[0];
    volume.target = parts[1];
    volume.mode = parts.size() == 3 ? parts[2] : "";
  }
  if (volume.target.empty() || volume.target.front() != '/') {
    return Error{"volume '" + text + "': the path in the container must be absolute"};
  }
  if (parts.size() > 1 && volume.source.front() != '/' && !is_volume_name(volume.source)) {
    return Error{"volume '" + text + "': the source must be an absolute host path or a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]+)"};
  }
  if (!volume.mode.empty() && !is_mode(volume.mode)) {
    return Error{"volume '" + text + "': unknown mode '" + volume.mode + "' (expected ro, rw, z, Z, nocopy, ...)"};
  }
  return volume;
}

Result<void> apply_volumes(const std::vector<std::string>& volumes, nlohmann::json& body) {
  for (const auto& text : volumes) {
    auto volume = parse_volume(text);
    if (!volume) {
      return volume.error();
    }
    if (volume->source.empty()) {
      body["Volumes"][volume->target] = nlohmann::json::object();
    } else {
      body["HostConfig"]["Binds"].push_back(volume->source + ":" + volume->target +
                                            (volume->mode.empty() ? "" : ":" + volume->mode));
    }
  }
  return {};
}

}  // namespace pipeline::runner::docker
