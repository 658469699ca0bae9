#include "runner/docker/pull_policy.hpp"

#include <string>

namespace pipeline::runner::docker {

Result<PullPolicy> parse_pull_policy(std::string_view text) {
  if (text == "missing") {
    return PullPolicy::missing;
  }
  if (text == "always") {
    return PullPolicy::always;
  }
  if (text == "never") {
    return PullPolicy::never;
  }
  return Error{"unknown pull policy '" + std::string(text) + "' (expected missing, always or never)"};
}

}  // namespace pipeline::runner::docker
