// `container.credentials` and `services.*.credentials` reach the engine's login through a whole
// `pipe run`: the registry is a local stand-in dockerd talks to itself.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "runner/docker/engine_client.hpp"
#include "support/registry_stub.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

constexpr const char* k_password = "pw-wrong-q8Lr3";

std::string workflow(const std::string& image) {
  return "on: push\n"
         "jobs:\n"
         "  private:\n"
         "    runs-on: ubuntu-latest\n"
         "    container:\n"
         "      image: " + image + "\n"
         "      credentials:\n"
         "        username: pipe-user\n"
         "        password: ${{ secrets.REGISTRY_PASSWORD }}\n"
         "    steps:\n"
         "      - run: echo never runs\n";
}

}  // namespace

TEST_CASE("a job whose registry refuses its credentials fails naming the image", "[run][docker][registry]") {
  auto client = pipeline::runner::docker::EngineClient::connect_from_environment();
  if (!client) {
    WARN("skipped: no Docker engine answers");
    return;
  }
  pipeline::test::RegistryStub stub("pipe-user", "pw-right-Hn4w");
  const std::string image = stub.host() + "/pipe-test/private:1";
  pipeline::test::TempDir dir("credentials");
  std::ofstream(dir.path / "workflow.yml") << workflow(image);
  const auto result = pipeline::test::run_process(
      {PIPE_EXE, "run", "--backend", "docker", "--secret", std::string("REGISTRY_PASSWORD=") + k_password, "workflow.yml"},
      dir.path.string());
  const std::string output = result.out + result.err;
  INFO(output);
  CHECK(result.exit_code == 1);
  CHECK_THAT(output, Catch::Contains("logging in to " + stub.host() + " for image " + image));
  CHECK_THAT(output, !Catch::Contains("never runs"));
  CHECK_THAT(output, !Catch::Contains(k_password));
  bool tried = false;
  for (const auto& request : stub.requests()) {
    tried = tried || request.path == "/v2/";
  }
  CHECK(tried);
}
