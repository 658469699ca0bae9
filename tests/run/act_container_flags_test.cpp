// act's --container-cap-drop and --network on real containers.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "runner/docker/engine_client.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace {

const std::string k_image = "pipe-test/busybox:latest";

bool engine_answers() {
  return static_cast<bool>(pipeline::runner::docker::EngineClient::connect_from_environment());
}

pipeline::test::ProcessResult run_job(const pipeline::test::TempDir& dir, const std::string& script,
                                      std::vector<std::string> flags) {
  std::ofstream(dir.path / "workflow.yml") << "on: push\njobs:\n  probe:\n    runs-on: ubuntu-latest\n    steps:\n"
                                              "      - run: " + script + "\n";
  std::vector<std::string> args{PIPE_EXE, "run", "--backend", "docker", "--pull", "never", "-P",
                                "ubuntu-latest=" + k_image, "workflow.yml"};
  args.insert(args.end(), flags.begin(), flags.end());
  return pipeline::test::run_process(args, dir.path.string());
}

}  // namespace

TEST_CASE("pipe run --container-cap-drop drops a capability from job containers", "[run][docker][act]") {
  if (!engine_answers()) {
    WARN("skipped: no Docker engine answers");
    return;
  }
  pipeline::test::TempDir dir("cap-drop");
  const std::string script = "touch /tmp/f && chown 1 /tmp/f && echo chown-allowed || echo chown-refused";
  const auto kept = run_job(dir, script, {});
  INFO(kept.out << kept.err);
  CHECK_THAT(kept.out, Catch::Contains("chown-allowed"));
  const auto dropped = run_job(dir, script, {"--container-cap-drop", "CHOWN"});
  INFO(dropped.out << dropped.err);
  CHECK_THAT(dropped.out, Catch::Contains("chown-refused"));
}

TEST_CASE("pipe run --network puts job containers on the named network", "[run][docker][act]") {
  if (!engine_answers()) {
    WARN("skipped: no Docker engine answers");
    return;
  }
  pipeline::test::TempDir dir("network");
  const std::string name = "pipe-test-act-network-" + dir.path.filename().string().substr(12);
  REQUIRE(std::system(("/usr/bin/docker network create --label pipe.test=act --subnet 172.31.251.0/24 " + name +
                       " >/dev/null").c_str()) == 0);
  const auto result = run_job(dir, "ip -4 addr | grep -q 'inet 172.31.251.' && echo on-the-network", {"--network", name});
  (void)std::system(("/usr/bin/docker network rm " + name + " >/dev/null").c_str());
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("on-the-network"));
}
