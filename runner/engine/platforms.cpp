#include "runner/engine/platforms.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <string_view>

namespace pipeline::runner::engine {

namespace {

// Images of the Ubuntu labels GitHub hosts today; other `ubuntu-*` labels get ubuntu-latest's.
const std::map<std::string, std::string>& ubuntu_images() {
  static const std::map<std::string, std::string> k_images{
      {"ubuntu-latest", k_default_ubuntu_image},
      {"ubuntu-24.04", "catthehacker/ubuntu:act-24.04"},
      {"ubuntu-22.04", "catthehacker/ubuntu:act-22.04"},
      {"ubuntu-20.04", "catthehacker/ubuntu:act-20.04"}};
  return k_images;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// GitHub matches labels case-insensitively; these are the ones a self-hosted Linux runner has.
bool is_host_label(std::string_view label) {
  static constexpr std::array<std::string_view, 3> k_host_labels{"self-hosted", "linux", "x64"};
  const std::string folded = lower(label);
  return std::find(k_host_labels.begin(), k_host_labels.end(), folded) != k_host_labels.end();
}

bool is_ubuntu_label(std::string_view label) {
  return lower(label).rfind("ubuntu-", 0) == 0;
}

const std::string* mapped(const std::string& label, const std::vector<std::pair<std::string, std::string>>& platforms) {
  for (const auto& [name, image] : platforms) {
    if (name == label) {
      return &image;
    }
  }
  return nullptr;
}

std::string ubuntu_image(const std::string& label, const std::vector<std::pair<std::string, std::string>>& platforms) {
  if (auto it = ubuntu_images().find(lower(label)); it != ubuntu_images().end()) {
    return it->second;
  }
  const std::string* latest = mapped("ubuntu-latest", platforms);
  return latest ? *latest : std::string(k_default_ubuntu_image);
}

}  // namespace

PlatformChoice choose_platform(const std::vector<std::string>& labels,
                               const std::vector<std::pair<std::string, std::string>>& platforms) {
  for (const auto& label : labels) {
    if (const std::string* image = mapped(label, platforms)) {
      return {*image, ""};
    }
  }
  if (labels.empty()) {
    return {"", ""};
  }
  for (const auto& label : labels) {
    if (!is_ubuntu_label(label) && !is_host_label(label)) {
      return {"", label};
    }
  }
  // The first label decides between the host and an Ubuntu image, as the order of runs-on reads.
  const std::string& first = labels.front();
  return {is_ubuntu_label(first) ? ubuntu_image(first, platforms) : std::string("host"), ""};
}

std::string no_runner_message(const std::string& label) {
  if (label.empty()) {
    return "no runner: runs-on names no label — give it one, or map one with -P LABEL=IMAGE|host";
  }
  return "no runner for '" + label + "' — map it with -P " + label + "=IMAGE|host";
}

}  // namespace pipeline::runner::engine
