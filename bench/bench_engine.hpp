#pragma once
// The opening the container benches share: the engine pipe would use, with the bench's image built.
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "runner/docker/engine_client.hpp"

namespace pipeline::bench {

/// The engine of DOCKER_HOST (or the default socket) holding `image`; otherwise the bench ends,
/// naming `bench` and how to build the image (`build_command`).
inline std::shared_ptr<runner::docker::EngineClient> open_engine(const char* bench, const char* image,
                                                                const char* build_command) {
  auto connected = runner::docker::EngineClient::connect_from_environment();
  if (!connected) {
    std::fprintf(stderr, "%s: %s\n", bench, connected.error().message.c_str());
    std::exit(1);
  }
  auto client = *connected;
  if (auto present = client->image_exists(image); !present || !*present) {
    std::fprintf(stderr, "%s: %s is missing; run %s\n", bench, image, build_command);
    std::exit(1);
  }
  return client;
}

}  // namespace pipeline::bench
