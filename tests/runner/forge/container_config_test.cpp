// The runner config's `container:` section applied to real containers: network, privileged,
// options, valid_volumes and docker_host.
#include <catch2/catch.hpp>

#include <unistd.h>

#include "forge_runner.hpp"

using namespace forge_test;

namespace {

constexpr const char* k_image = "pipe-test/busybox:latest";
const std::string k_docker = "/usr/bin/docker";

bool have_image() {
  if (pipeline::test::run_process({k_docker, "image", "inspect", k_image}).exit_code == 0) {
    return true;
  }
  WARN(std::string("skipped: image ") + k_image + " is missing (run tests/images/build.sh) or no engine answers");
  return false;
}

/// A runner whose `linux` label runs jobs in the busybox image, with `container` settings.
std::string container_config(const std::string& container_section) {
  return std::string("  labels: [\"linux:docker://") + k_image + "\"]\ncontainer:\n" + container_section;
}

/// Runs one task to its end; the log rows joined.
std::string run_one(ForgeStandin& standin, const Runner& runner, const StandinTask& t) {
  standin.enqueue(t);
  const auto r = runner.once();
  INFO(r.out + r.err);
  REQUIRE(standin.wait_finished(t.id, k_limit));
  return joined(standin.record(t.id).rows);
}

/// A labelled network and a container named `peer` on it; both removed afterwards.
struct PeerNetwork {
  std::string name = "pipe-test-forge-net-" + std::to_string(::getpid());
  std::string peer = name + "-peer";
  bool ready = false;
  PeerNetwork() {
    ready = pipeline::test::run_process({k_docker, "network", "create", "--label", "pipe-test=forge", name}).exit_code == 0 &&
            pipeline::test::run_process({k_docker, "run", "-d", "--rm", "--name", peer, "--label", "pipe-test=forge",
                                         "--network", name, "--network-alias", "peer", k_image, "sleep", "120"})
                    .exit_code == 0;
  }
  ~PeerNetwork() {
    (void)pipeline::test::run_process({k_docker, "rm", "-f", peer});
    (void)pipeline::test::run_process({k_docker, "network", "rm", name});
  }
  PeerNetwork(const PeerNetwork&) = delete;
  PeerNetwork& operator=(const PeerNetwork&) = delete;
};

}  // namespace

TEST_CASE("container.network puts job containers on that network and leaves it in place", "[forge][runner][docker]") {
  if (!have_image()) {
    return;
  }
  PeerNetwork network;
  REQUIRE(network.ready);
  ForgeStandin standin;
  Runner runner(standin, container_config("  network: " + network.name + "\n"));
  REQUIRE(runner.registered);
  const std::string log = run_one(standin, runner, task(81, "      - run: ping -c 1 -W 5 peer && echo reached-the-peer\n"));
  INFO(log);
  CHECK(standin.result(81) == "RESULT_SUCCESS");
  CHECK(log.find("reached-the-peer") != std::string::npos);
  CHECK(pipeline::test::run_process({k_docker, "network", "inspect", network.name}).exit_code == 0);
}

TEST_CASE("container.options reach every job container", "[forge][runner][docker]") {
  if (!have_image()) {
    return;
  }
  ForgeStandin standin;
  Runner runner(standin, container_config("  options: --hostname from-the-runner\n"));
  REQUIRE(runner.registered);
  const std::string log = run_one(standin, runner, task(82, "      - run: echo \"host=$(hostname)\"\n"));
  INFO(log);
  CHECK(standin.result(82) == "RESULT_SUCCESS");
  CHECK(log.find("host=from-the-runner") != std::string::npos);
}

TEST_CASE("container.privileged makes job containers privileged", "[forge][runner][docker]") {
  if (!have_image()) {
    return;
  }
  if (pipeline::test::run_process({k_docker, "run", "--rm", "--privileged", k_image, "true"}).exit_code != 0) {
    WARN("skipped: this engine cannot start privileged containers (pipe's tests run inside a container)");
    return;
  }
  ForgeStandin standin;
  Runner runner(standin, container_config("  privileged: true\n"));
  REQUIRE(runner.registered);
  const std::string log =
      run_one(standin, runner, task(83, "      - run: mount -t tmpfs none /mnt && echo mounted-privileged\n"));
  INFO(log);
  CHECK(standin.result(83) == "RESULT_SUCCESS");
  CHECK(log.find("mounted-privileged") != std::string::npos);

  ForgeStandin plain_standin;
  Runner plain(plain_standin, container_config("  privileged: false\n"));
  REQUIRE(plain.registered);
  const std::string refused = run_one(plain_standin, plain, task(89, "      - run: mount -t tmpfs none /mnt\n"));
  INFO(refused);
  CHECK(plain_standin.result(89) == "RESULT_FAILURE");
}

TEST_CASE("container.valid_volumes decides which volumes a workflow may mount", "[forge][runner][docker]") {
  if (!have_image()) {
    return;
  }
  pipeline::test::TempDir shared("forge-volume");
  pipeline::test::write_file(shared.path / "data" / "note.txt", "shared with the job\n");
  const std::string job = std::string("    container:\n      image: ") + k_image + "\n      volumes:\n        - " +
                          (shared.path / "data").string() + ":/shared\n";
  const auto volume_task = [&](std::int64_t id) { return task(id, "      - run: cat /shared/note.txt\n", job); };

  ForgeStandin refusing_standin;
  Runner refusing(refusing_standin, container_config("  valid_volumes: []\n"));
  REQUIRE(refusing.registered);
  const std::string refused = run_one(refusing_standin, refusing, volume_task(84));
  INFO(refused);
  CHECK(refusing_standin.result(84) == "RESULT_FAILURE");
  CHECK(refused.find("pipe: jobs.build.container.volumes: the volume '" + (shared.path / "data").string() +
                     "' is not one this runner allows to mount (its container.valid_volumes)") != std::string::npos);
  CHECK(refused.find("shared with the job") == std::string::npos);

  ForgeStandin allowing_standin;
  Runner allowing(allowing_standin, container_config("  valid_volumes: ['" + shared.path.string() + "/**']\n"));
  REQUIRE(allowing.registered);
  const std::string allowed = run_one(allowing_standin, allowing, volume_task(85));
  INFO(allowed);
  CHECK(allowing_standin.result(85) == "RESULT_SUCCESS");
  CHECK(allowed.find("shared with the job") != std::string::npos);
}

TEST_CASE("container.docker_host names the engine; '-' keeps its socket out of job containers",
          "[forge][runner][docker]") {
  if (!have_image()) {
    return;
  }
  const std::string probe = "      - run: if [ -S /var/run/docker.sock ]; then echo socket-given; else echo socket-hidden; fi\n";
  ForgeStandin named_standin;
  Runner named(named_standin, container_config("  docker_host: unix:///var/run/docker.sock\n"));
  REQUIRE(named.registered);
  const std::string given = run_one(named_standin, named, task(86, probe));
  INFO(given);
  CHECK(named_standin.result(86) == "RESULT_SUCCESS");
  CHECK(given.find("socket-given") != std::string::npos);

  ForgeStandin hidden_standin;
  Runner hidden(hidden_standin, container_config("  docker_host: \"-\"\n"));
  REQUIRE(hidden.registered);
  const std::string kept_out = run_one(hidden_standin, hidden, task(87, probe));
  INFO(kept_out);
  CHECK(hidden_standin.result(87) == "RESULT_SUCCESS");
  CHECK(kept_out.find("socket-hidden") != std::string::npos);

  ForgeStandin wrong_standin;
  Runner wrong(wrong_standin, container_config("  docker_host: unix:///nonexistent/docker.sock\n"));
  REQUIRE(wrong.registered);
  wrong_standin.enqueue(task(88, probe));
  const auto r = wrong.once();
  INFO(r.out + r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("pipe runner: config.yml: container.docker_host 'unix:///nonexistent/docker.sock': ") == 0);
  CHECK(wrong_standin.queued() == 1);  // no task taken: it waits for a runner that can run it
}
