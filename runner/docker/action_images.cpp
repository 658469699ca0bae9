// The image side of Docker container actions: Dockerfiles built once per tag, and the gateway
// their containers reach the host's services at.
#include "runner/docker/docker_backend.hpp"

namespace pipeline::runner::docker {

Result<void> DockerBackend::ensure_built_image(const std::string& context_dir, const std::string& dockerfile,
                                               const std::string& tag, const BuildOutput& on_output) {
  auto exists = m_client->image_exists(tag);
  if (!exists) {
    return exists.error();
  }
  if (*exists) {
    return {};
  }
  auto built = m_client->build_image(context_dir, dockerfile, tag, {{"pipe", "1"}}, on_output);
  if (!built) {
    return Error{"building " + dockerfile + " of " + context_dir + ": " + built.error().message};
  }
  return {};
}

std::string DockerBackend::host_gateway() {
  // Docker names its default network "bridge", Podman "podman".
  for (const char* network : {"bridge", "podman"}) {
    if (auto gateway = m_client->network_gateway(network)) {
      return *gateway;
    }
  }
  return {};
}

}  // namespace pipeline::runner::docker
