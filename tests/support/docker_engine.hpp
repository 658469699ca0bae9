#pragma once
// The opening the Docker tests share: the engine DOCKER_HOST names, a skip (saying why) when it or
// a test image is missing, names no other run uses, host directories and a shell step.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "runner/backend/backend.hpp"
#include "runner/docker/engine_client.hpp"
#include "support/temp_dir.hpp"

namespace pipeline::test {

/// The engine DOCKER_HOST names, or null (the caller skips with a reason).
inline std::shared_ptr<runner::docker::EngineClient> docker_engine() {
  auto client = runner::docker::EngineClient::connect_from_environment();
  return client ? *client : nullptr;
}

/// Whether the engine holds `image` (tests/images/build.sh builds them; nothing can be pulled).
inline bool has_image(runner::docker::EngineClient& client, const std::string& image) {
  auto present = client.image_exists(image);
  return present && *present;
}

/// `prefix` and a clock reading: a run id or file name no other test run uses.
inline std::string unique_name(const std::string& prefix) {
  return prefix + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000000);
}

/// A fresh host directory for a container to mount: a TempDir any user may read and enter
/// (mkdtemp's 0700 would shut out a job running as `--user`).
struct HostDir : TempDir {
  explicit HostDir(const std::string& name,
                   const std::filesystem::path& parent = std::filesystem::temp_directory_path())
      : TempDir(name, parent) {
    std::filesystem::permissions(path, std::filesystem::perms(0755));
  }
};

/// `sh -c script` run in `cwd`.
inline runner::ExecSpec shell(const std::string& script, const std::string& cwd = "/") {
  runner::ExecSpec spec;
  spec.argv = {"sh", "-c", script};
  spec.cwd = cwd;
  return spec;
}

}  // namespace pipeline::test

/// Declares `client`, the engine; the test is skipped, with a warning that says why, when no
/// engine answers or it lacks `image`.
#define REQUIRE_ENGINE_AND_IMAGE(client, image)                                          \
  auto client = pipeline::test::docker_engine();                                         \
  if (!client) {                                                                         \
    WARN("skipped: no Docker engine answers (start dockerd; .ci/setup does)");           \
    return;                                                                              \
  }                                                                                      \
  if (!pipeline::test::has_image(*client, image)) {                                      \
    WARN(std::string("skipped: image ") + image + " is missing (run tests/images/build.sh)"); \
    return;                                                                              \
  }
