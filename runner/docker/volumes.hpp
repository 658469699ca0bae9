#pragma once
// `volumes:` of a job container or a service, in the three forms GitHub documents: a named
// volume (`name:/path`, created by the engine when missing), an anonymous volume (`/path`,
// removed with its container) and a host path, directory or single file (`/host:/path`);
// each may end in a mode such as `:ro`.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "workflow/base/result.hpp"

namespace pipeline::runner::docker {

/// One parsed `volumes:` entry.
struct VolumeSpec {
  std::string source;  // empty: an anonymous volume; absolute: a host path; otherwise a volume name
  std::string target;  // absolute path in the container
  std::string mode;    // "" or comma-separated Docker modes ("ro", "rw", "z", ...)
};

/// Parses `name:/path`, `/path`, `/host:/path` with an optional `:mode`.
[[nodiscard]] Result<VolumeSpec> parse_volume(const std::string& text);

/// Adds `volumes` to a `POST /containers/create` body: anonymous ones under `Volumes`, the
/// others as `HostConfig.Binds`.
[[nodiscard]] Result<void> apply_volumes(const std::vector<std::string>& volumes, nlohmann::json& body);

}  // namespace pipeline::runner::docker
