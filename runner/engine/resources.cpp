#include "runner/engine/resources.hpp"

#include <algorithm>
#include <charconv>

namespace pipeline::runner::engine {
namespace {

// A typo like "1-65535" must not create 65k keys; ranges this long are not worth serializing.
constexpr int k_max_range = 1024;

bool parse_port(std::string_view text, int& port) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  return error == std::errc() && end == text.data() + text.size() && port > 0 && port < 65536;
}

// The host part of "host:container" or "ip:host:container" (an IPv6 ip is in brackets).
std::string_view host_part(std::string_view spec) {
  auto last = spec.rfind(':');
  if (last == std::string_view::npos) {
    return {};
  }
  auto rest = spec.substr(0, last);
  auto previous = rest.rfind(':');
  if (previous != std::string_view::npos && rest.find(']') == std::string_view::npos) {
    return rest.substr(previous + 1);
  }
  if (auto bracket = rest.rfind("]:"); bracket != std::string_view::npos) {
    return rest.substr(bracket + 2);
  }
  return rest;
}

void add_range(std::string_view host, std::string_view protocol, std::vector<std::string>& keys) {
  auto dash = host.find('-');
  int first = 0;
  int last = 0;
  if (!parse_port(host.substr(0, dash), first)) {
    return;
  }
  last = first;
  if (dash != std::string_view::npos && (!parse_port(host.substr(dash + 1), last) || last < first)) {
    return;
  }
  last = std::min(last, first + k_max_range - 1);
  for (int port = first; port <= last; ++port) {
    keys.push_back("port:" + std::to_string(port) + "/" + std::string(protocol));
  }
}

}  // namespace

std::vector<std::string> host_port_resources(const std::vector<std::string>& ports) {
  std::vector<std::string> keys;
  for (std::string_view spec : ports) {
    std::string_view protocol = "tcp";
    if (auto slash = spec.rfind('/'); slash != std::string_view::npos) {
      protocol = spec.substr(slash + 1);
      spec = spec.substr(0, slash);
    }
    add_range(host_part(spec), protocol, keys);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

}  // namespace pipeline::runner::engine
