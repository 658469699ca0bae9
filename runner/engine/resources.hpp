#pragma once
// Scheduler resource keys for things two jobs cannot hold at once (fixed host ports).
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::runner::engine {

/// Resource keys ("port:8080/tcp") for the fixed host ports that port specs publish, as in
/// `ports:` of a container or service: "8080:80", "127.0.0.1:8080:80/udp", "8000-8002:8000-8002".
/// A spec without a host port ("80", "127.0.0.1::80") publishes a random one: no key.
[[nodiscard]] std::vector<std::string> host_port_resources(const std::vector<std::string>& ports);

}  // namespace pipeline::runner::engine
