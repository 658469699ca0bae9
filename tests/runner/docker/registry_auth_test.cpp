// Registry credentials of job and service containers: the engine logs in before it pulls, with a
// local registry stand-in that dockerd itself talks to (127.0.0.1 registries are plain HTTP).
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>

#include "runner/docker/docker_backend.hpp"
#include "runner/docker/engine_client.hpp"
#include "support/registry_stub.hpp"

using namespace pipeline::runner;
using namespace pipeline::runner::docker;
namespace fs = std::filesystem;

namespace {

constexpr const char* k_user = "pipe-user";
constexpr const char* k_password = "pw-registry-5Qx9";

std::shared_ptr<EngineClient> engine() {
  auto client = EngineClient::connect_from_environment();
  return client ? *client : nullptr;
}

std::string unique_run() {
  return "auth" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000000);
}

JobSpec job_with_image(const std::string& image, const std::string& password) {
  JobSpec spec;
  spec.run_id = unique_run();
  spec.job_id = "job";
  spec.display_name = "job";
  spec.image = image;
  spec.use_host_network = false;
  spec.credentials = std::make_pair(std::string(k_user), password);
  return spec;
}

/// The engine (null when none answers), a registry stand-in that accepts k_user and k_password,
/// an image reference on it, and a backend on the engine.
struct RegistryCase {
  std::shared_ptr<EngineClient> client = engine();
  pipeline::test::RegistryStub stub{k_user, k_password};
  std::string image = stub.host() + "/pipe-test/private:1";
  DockerBackend backend{client, {}};
};

bool saw_authorized_manifest(const pipeline::test::RegistryStub& stub) {
  for (const auto& request : stub.requests()) {
    if (request.authorized && request.path.find("/manifests/") != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("refused registry credentials fail the job naming the image, never the password", "[docker][registry]") {
  RegistryCase c;
  if (!c.client) {
    WARN("skipped: no Docker engine answers");
    return;
  }
  auto env = c.backend.prepare_job(job_with_image(c.image, "pw-wrong-7Zk2"));
  REQUIRE_FALSE(env);
  CHECK_THAT(env.error().message, Catch::Contains("logging in to " + c.stub.host() + " for image " + c.image));
  CHECK_THAT(env.error().message, Catch::Contains("401"));
  CHECK_THAT(env.error().message, !Catch::Contains("pw-wrong-7Zk2"));
  CHECK_FALSE(saw_authorized_manifest(c.stub));  // nothing was pulled
}

TEST_CASE("accepted registry credentials reach the registry on the pull", "[docker][registry]") {
  RegistryCase c;
  if (!c.client) {
    WARN("skipped: no Docker engine answers");
    return;
  }
  JobSpec spec = job_with_image("pipe-test/busybox:latest", "");
  spec.credentials.reset();
  spec.services.push_back(ServiceSpec{"db", c.image, {}, {}, {}, "", std::make_pair(std::string(k_user), std::string(k_password)), {}, {}});
  auto env = c.backend.prepare_job(spec);
  REQUIRE_FALSE(env);  // the stand-in has no images: the pull itself fails after logging in
  CHECK_THAT(env.error().message, Catch::Contains("service 'db': pulling image " + c.image));
  CHECK(saw_authorized_manifest(c.stub));  // X-Registry-Auth carried the credentials to the registry
  CHECK_THAT(env.error().message, !Catch::Contains(k_password));
  auto left = c.client->list_containers("pipe.run=" + spec.run_id);
  REQUIRE(left);
  CHECK(left->empty());
}

TEST_CASE("a named volume outlives its job and an anonymous one goes with it", "[docker][volumes]") {
  auto client = engine();
  auto present = client ? client->image_exists("pipe-test/busybox:latest") : pipeline::Result<bool>(false);
  if (!client || !present || !*present) {
    WARN("skipped: no Docker engine or no pipe-test/busybox:latest");
    return;
  }
  const std::string volume = "pipe-test-volume-" + unique_run();
  DockerBackend backend(client, {});
  auto run_in_job = [&](const std::string& script) {
    JobSpec spec = job_with_image("pipe-test/busybox:latest", "");
    spec.credentials.reset();
    spec.volumes = {volume + ":/named", "/anonymous"};
    auto env = backend.prepare_job(spec);
    REQUIRE(env);
    CollectSink sink;
    ExecSpec exec;
    exec.argv = {"sh", "-c", script};
    auto status = backend.exec(*env, exec, sink);
    backend.teardown(*env);
    REQUIRE(status);
    CHECK(status->code == 0);
    return sink.out;
  };
  CHECK(run_in_job("echo first > /named/file; echo first > /anonymous/file; echo ok") == "ok\n");
  CHECK(run_in_job("cat /named/file; ls /anonymous | wc -l") == "first\n0\n");
  CHECK(client->remove_volume(volume));
}
