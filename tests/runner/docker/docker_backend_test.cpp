#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "runner/docker/docker_backend.hpp"
#include "runner/docker/engine_client.hpp"
#include "support/docker_engine.hpp"
#include "support/split_sink.hpp"

using namespace pipeline::runner;
using namespace pipeline::runner::docker;
using namespace pipeline::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr const char* k_busybox = "pipe-test/busybox:latest";
constexpr const char* k_redis = "pipe-test/redis:latest";

JobSpec busybox_job(const std::string& run_id, const fs::path& workspace) {
  JobSpec spec;
  spec.run_id = run_id;
  spec.job_id = "job";
  spec.display_name = "job";
  spec.image = k_busybox;
  spec.workspace = workspace.string();
  spec.use_host_network = false;
  return spec;
}

// A fresh host workspace that goes away with the test.
struct Workspace : HostDir {
  Workspace() : HostDir("docker-ws") {}
};

std::string unique_run() {
  return unique_name("test");
}

std::size_t labelled_objects(EngineClient& client, const std::string& run_id) {
  auto containers = client.list_containers("pipe.run=" + run_id);
  auto networks = client.list_networks("pipe.run=" + run_id);
  REQUIRE(containers.ok());
  REQUIRE(networks.ok());
  return containers->size() + networks->size();
}

}  // namespace

TEST_CASE("an unreachable engine fails quickly naming the socket", "[docker]") {
  auto endpoint = endpoint_from_host("unix:///nonexistent/pipe-test.sock", false, "");
  REQUIRE(endpoint.ok());
  auto client = EngineClient::connect(*endpoint);
  REQUIRE_FALSE(client.ok());
  CHECK_THAT(client.error().message, Catch::StartsWith("cannot connect to the Docker engine at /nonexistent/pipe-test.sock: "));
}

TEST_CASE("the engine answers ping and version", "[docker]") {
  auto client = docker_engine();
  if (!client) {
    WARN("skipped: no Docker engine answers (start dockerd; .ci/setup does)");
    return;
  }
  CHECK(client->ping().ok());
  auto version = client->version();
  REQUIRE(version.ok());
  CHECK_FALSE(version->api_version.empty());
  CHECK_FALSE(client->api_version().empty());
}

TEST_CASE("a job container runs steps, keeps streams apart, and leaves nothing behind", "[docker]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  Workspace workspace;
  std::ofstream(workspace.path / "input.txt") << "from the host\n";
  DockerBackend backend(client, {});
  const std::string run_id = unique_run();
  auto env = backend.prepare_job(busybox_job(run_id, workspace.path));
  REQUIRE(env.ok());
  CHECK(env->in_container);
  CHECK_FALSE(env->has_bash);
  CHECK(env->host_temp_dir == env->temp_dir);

  SECTION("exit code and separate streams") {
    SplitSink sink;
    auto status = backend.exec(*env, shell("echo hi; echo err >&2; exit 3", env->workspace), sink);
    REQUIRE(status.ok());
    CHECK(status->code == 3);
    CHECK(sink.out == "hi\n");
    CHECK(sink.err == "err\n");
  }
  SECTION("the environment passes through Env and the workspace is shared") {
    ExecSpec spec = shell("echo \"$GREETING\"; pwd; cat input.txt; echo out >\"$RUNNER_TEMP/file\"", env->workspace);
    spec.env = {{"GREETING", "hello world"}, {"RUNNER_TEMP", env->temp_dir}};
    SplitSink sink;
    auto status = backend.exec(*env, spec, sink);
    REQUIRE(status.ok());
    CHECK(status->code == 0);
    CHECK(sink.out == "hello world\n" + env->workspace + "\nfrom the host\n");
    std::ifstream written(fs::path(env->host_temp_dir) / "file");
    std::string line;
    std::getline(written, line);
    CHECK(line == "out");
  }
  SECTION("a timeout kills the whole process tree") {
    ExecSpec spec = shell("sleep 30 & sleep 30; echo never", env->workspace);
    spec.timeout = 300ms;
    SplitSink sink;
    auto status = backend.exec(*env, spec, sink);
    REQUIRE(status.ok());
    CHECK(status->timed_out);
    CHECK(status->code != 0);
    CHECK(sink.out.find("never") == std::string::npos);
    // The kill is sent before exec returns; the container's init reaps the group a moment later.
    std::string left;
    for (int attempt = 0; attempt < 40; ++attempt) {
      SplitSink ps;
      REQUIRE(backend.exec(*env, shell("ps -o stat,args | grep -v '^Z' | grep -c '[s]leep 30' || true", "/"), ps).ok());
      left = ps.out;
      if (left == "0\n") {
        break;
      }
      std::this_thread::sleep_for(50ms);
    }
    CHECK(left == "0\n");
  }
  SECTION("cancel stops a running step") {
    pipeline::CancelToken token;
    // The step says it has started through a file in the mounted workspace: a fixed delay would
    // cancel before `echo` ran on a loaded machine.
    ExecSpec spec = shell("echo started; touch started.flag; sleep 30", env->workspace);
    spec.cancel = &token;
    std::thread canceller([&] {
      for (int i = 0; i < 600 && !fs::exists(workspace.path / "started.flag"); ++i) {
        std::this_thread::sleep_for(50ms);
      }
      token.cancel();
    });
    SplitSink sink;
    auto status = backend.exec(*env, spec, sink);
    canceller.join();
    REQUIRE(status.ok());
    CHECK(status->cancelled);
    CHECK_FALSE(status->timed_out);
    CHECK(sink.out == "started\n");
  }
  SECTION("files written are read back, parents created") {
    REQUIRE(backend.write_file(*env, "/opt/pipe/deep/dir/script.sh", "#!/bin/sh\necho from script\n", 0755).ok());
    auto content = backend.read_file(*env, "/opt/pipe/deep/dir/script.sh");
    REQUIRE(content.ok());
    CHECK(*content == "#!/bin/sh\necho from script\n");
    SplitSink sink;
    auto status = backend.exec(*env, ExecSpec{{"/opt/pipe/deep/dir/script.sh"}, {}, "/", {}, nullptr}, sink);
    REQUIRE(status.ok());
    CHECK(sink.out == "from script\n");
    CHECK_FALSE(backend.read_file(*env, "/no/such/file").ok());
    SplitSink tmp;
    REQUIRE(backend.exec(*env, shell("stat -c %a /tmp", "/"), tmp).ok());
    CHECK(tmp.out == "1777\n");
  }
  backend.teardown(*env);
  CHECK(labelled_objects(*client, run_id) == 0);
  CHECK_FALSE(fs::exists(fs::path(env->host_temp_dir).parent_path()));
}

TEST_CASE("a copied workspace is visible without a bind mount", "[docker]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  Workspace workspace;
  fs::create_directories(workspace.path / "sub");
  std::ofstream(workspace.path / "sub" / "a.txt") << "copied\n";
  DockerBackend backend(client, {});
  JobSpec spec = busybox_job(unique_run(), workspace.path);
  spec.copy_workspace = true;
  auto env = backend.prepare_job(spec);
  REQUIRE(env.ok());
  SplitSink sink;
  auto status = backend.exec(*env, shell("cat sub/a.txt; echo new > b.txt", env->workspace), sink);
  backend.teardown(*env);
  REQUIRE(status.ok());
  CHECK(sink.out == "copied\n");
  CHECK_FALSE(fs::exists(workspace.path / "b.txt"));
}

TEST_CASE("a missing image with pull policy never is a clear error", "[docker]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  Workspace workspace;
  DockerBackendOptions options;
  options.pull = PullPolicy::never;
  DockerBackend backend(client, options);
  JobSpec spec = busybox_job(unique_run(), workspace.path);
  spec.image = "pipe-test/no-such-image:1";
  auto env = backend.prepare_job(spec);
  REQUIRE_FALSE(env.ok());
  CHECK(env.error().message ==
        "preparing job 'job': image 'pipe-test/no-such-image:1' is not present locally and the pull policy is 'never'");
  CHECK(labelled_objects(*client, spec.run_id) == 0);
}

TEST_CASE("a failed pull names the image", "[docker]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  auto pulled = client->pull_image("pipe-test/no-such-image:1", std::nullopt);
  REQUIRE_FALSE(pulled.ok());
  CHECK_THAT(pulled.error().message, Catch::StartsWith("pulling image pipe-test/no-such-image:1: "));
}

TEST_CASE("bad container options fail before anything is left behind", "[docker]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  Workspace workspace;
  DockerBackend backend(client, {});
  JobSpec spec = busybox_job(unique_run(), workspace.path);
  spec.options = "--cpus 1 --frobnicate";
  auto env = backend.prepare_job(spec);
  REQUIRE_FALSE(env.ok());
  CHECK(env.error().message == "preparing job 'job': unsupported container option '--frobnicate'");
  CHECK(labelled_objects(*client, spec.run_id) == 0);
}

TEST_CASE("a service is reachable by its key once healthy", "[docker]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_redis);
  if (!has_image(*client, k_busybox)) {
    WARN("skipped: image pipe-test/busybox:latest is missing (run tests/images/build.sh)");
    return;
  }
  Workspace workspace;
  DockerBackend backend(client, {});
  JobSpec spec = busybox_job(unique_run(), workspace.path);
  ServiceSpec redis;
  redis.key = "redis";
  redis.image = k_redis;
  redis.ports = {"6379"};
  redis.options = "--health-cmd \"redis-cli ping\" --health-interval 200ms --health-retries 50";
  spec.services.push_back(redis);
  auto env = backend.prepare_job(spec);
  REQUIRE(env.ok());
  REQUIRE(env->services.size() == 1);
  CHECK(env->services[0].key == "redis");
  CHECK_FALSE(env->services[0].ports["6379"].empty());
  SplitSink sink;
  auto status = backend.exec(*env, shell("printf 'PING\\r\\n' | nc -w 2 redis 6379", "/"), sink);
  backend.teardown(*env);
  REQUIRE(status.ok());
  CHECK(sink.out == "+PONG\r\n");
  CHECK(labelled_objects(*client, spec.run_id) == 0);
}

TEST_CASE("an unhealthy service fails with its last log lines", "[docker]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  Workspace workspace;
  DockerBackend backend(client, {});
  JobSpec spec = busybox_job(unique_run(), workspace.path);
  ServiceSpec broken;
  broken.key = "broken";
  broken.image = k_busybox;
  broken.options = "--entrypoint sh";
  spec.services.push_back(broken);
  // The service's command exits at once: it is reported with its output.
  spec.services[0].options = "--entrypoint /bin/false";
  auto env = backend.prepare_job(spec);
  REQUIRE_FALSE(env.ok());
  CHECK_THAT(env.error().message, Catch::Contains("service 'broken' (pipe-test/busybox:latest) exited with code 1"));
  CHECK(labelled_objects(*client, spec.run_id) == 0);
}

TEST_CASE("leftovers of a dead run are cleaned, a live run's are kept", "[docker]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  const std::string run_id = unique_run();
  Labels dead = pipe_labels(run_id, "job");
  dead["pipe.pid"] = "999999999";
  auto network = client->create_network("pipe_cleanup_" + run_id, dead);
  REQUIRE(network.ok());
  auto live_network = client->create_network("pipe_cleanup_live_" + run_id, pipe_labels(run_id, "live"));
  REQUIRE(live_network.ok());
  auto report = cleanup_leftovers(*client, run_id, LiveRuns::keep);
  REQUIRE(report.ok());
  // Any `pipe run` starting meanwhile (a parallel test) reaps dead runs too, so the dead network
  // may already be gone: what counts is that it is, and that the live one stays.
  CHECK(report->networks <= 1);
  CHECK(labelled_objects(*client, run_id) == 1);
  report = cleanup_leftovers(*client, run_id, LiveRuns::remove);
  REQUIRE(report.ok());
  CHECK(labelled_objects(*client, run_id) == 0);
}

TEST_CASE("a command that does not exist fails the step, not the backend", "[docker]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  Workspace workspace;
  DockerBackend backend(client, {});
  auto env = backend.prepare_job(busybox_job(unique_run(), workspace.path));
  REQUIRE(env.ok());
  SplitSink sink;
  auto status = backend.exec(*env, ExecSpec{{"no-such-program"}, {}, "/", {}, nullptr}, sink);
  backend.teardown(*env);
  REQUIRE(status.ok());
  CHECK((status->code == 126 || status->code == 127));
  CHECK_THAT(sink.out + sink.err, Catch::Contains("no-such-program"));
}

TEST_CASE("the runner image has bash, node and python, and network aliases resolve", "[docker]") {
  REQUIRE_ENGINE_AND_IMAGE(client, "pipe-test/runner:bookworm");
  Workspace workspace;
  DockerBackend backend(client, {});
  JobSpec spec = busybox_job(unique_run(), workspace.path);
  spec.image = "ubuntu:latest";  // tagged by tests/images/build.sh so default runs-on works offline
  spec.options = "--network-alias builder";
  auto env = backend.prepare_job(spec);
  REQUIRE(env.ok());
  CHECK(env->has_bash);
  SplitSink sink;
  auto status = backend.exec(*env, ExecSpec{{"bash", "-c", "node -e 'console.log(1+1)'; python3 -c 'print(3)'; getent hosts builder >/dev/null && echo alias"}, {}, "/", {}, nullptr}, sink);
  backend.teardown(*env);
  REQUIRE(status.ok());
  CHECK(sink.err == "");
  CHECK(sink.out == "2\n3\nalias\n");
}

TEST_CASE("the postgres service honours POSTGRES_USER, PASSWORD and DB", "[docker]") {
  REQUIRE_ENGINE_AND_IMAGE(client, "pipe-test/postgres:15");
  if (!has_image(*client, k_busybox)) {
    WARN("skipped: image pipe-test/busybox:latest is missing (run tests/images/build.sh)");
    return;
  }
  Workspace workspace;
  DockerBackend backend(client, {});
  JobSpec spec = busybox_job(unique_run(), workspace.path);
  ServiceSpec postgres;
  postgres.key = "postgres";
  postgres.image = "postgres:15";
  postgres.env = {{"POSTGRES_USER", "app"}, {"POSTGRES_PASSWORD", "s3cret"}, {"POSTGRES_DB", "appdb"}};
  postgres.ports = {"5432"};
  postgres.options = "--health-cmd \"pg_isready -h 127.0.0.1\" --health-interval 200ms --health-retries 100";
  spec.services.push_back(postgres);
  auto env = backend.prepare_job(spec);
  REQUIRE(env.ok());
  ExecConfig query{{"psql", "-h", "127.0.0.1", "-U", "app", "-d", "appdb", "-tAc", "select 40+2"}, {"PGPASSWORD=s3cret"}, "", ""};
  auto exec_id = client->create_exec(env->services[0].id, query);
  REQUIRE(exec_id.ok());
  SplitSink sink;
  REQUIRE(client->start_exec(*exec_id, sink, {}).ok());
  auto info = client->inspect_exec(*exec_id);
  backend.teardown(*env);
  REQUIRE(info.ok());
  CHECK(info->exit_code == 0);
  CHECK(sink.out == "42\n");
}

TEST_CASE("a container action runs to completion with its output and exit code", "[docker]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  Workspace workspace;
  std::ofstream(workspace.path / "Dockerfile") << "FROM pipe-test/busybox:latest\nRUN echo built >/built\nENTRYPOINT [\"sh\", \"-c\"]\nCMD [\"cat /built\"]\n";
  DockerBackend backend(client, {});
  const std::string run_id = unique_run();
  auto env = backend.prepare_job(busybox_job(run_id, workspace.path));
  REQUIRE(env.ok());
  const std::string tag = "pipe-test/action-" + run_id + ":latest";
  std::string build_output;
  auto built = client->build_image(workspace.path.string(), "Dockerfile", tag, pipe_labels(run_id, "job"),
                                   [&](const std::string& line) { build_output += line; });
  REQUIRE(built.ok());
  CHECK_THAT(build_output, Catch::Contains("Successfully tagged " + tag));

  ContainerRun run;
  run.run_id = run_id;
  run.job_id = "job";
  run.image = tag;
  SplitSink image_cmd;
  auto plain = backend.run_container(*env, run, image_cmd);
  REQUIRE(plain.ok());
  CHECK(plain->code == 0);
  CHECK(image_cmd.out == "built\n");

  run.args = {"echo \"$INPUT_WHO\" in $(pwd); echo err >&2; exit 5"};
  run.env = {{"INPUT_WHO", "action"}};
  run.mounts = {{workspace.path.string(), "/github/workspace", false}};
  run.workdir = "/github/workspace";
  SplitSink sink;
  auto status = backend.run_container(*env, run, sink);
  REQUIRE(status.ok());
  CHECK(status->code == 5);
  CHECK(sink.out == "action in /github/workspace\n");
  CHECK(sink.err == "err\n");

  run.args = {"sleep 30"};
  run.timeout = std::chrono::milliseconds(300);
  SplitSink slow;
  auto timed = backend.run_container(*env, run, slow);
  REQUIRE(timed.ok());
  CHECK(timed->timed_out);

  backend.teardown(*env);
  CHECK(client->remove_image(tag).ok());
  CHECK(labelled_objects(*client, run_id) == 0);
}

TEST_CASE("a failing build names the image and the step", "[docker]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  Workspace workspace;
  std::ofstream(workspace.path / "Dockerfile") << "FROM pipe-test/busybox:latest\nRUN exit 7\n";
  auto built = client->build_image(workspace.path.string(), "Dockerfile", "pipe-test/broken:1", {});
  REQUIRE_FALSE(built.ok());
  CHECK_THAT(built.error().message, Catch::StartsWith("building image pipe-test/broken:1 from " + workspace.path.string() + ": "));
  CHECK_THAT(built.error().message, Catch::Contains("exit 7"));
}

TEST_CASE("parallel steps in one job container keep their outputs and codes apart", "[docker]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  Workspace workspace;
  DockerBackend backend(client, {});
  auto env = backend.prepare_job(busybox_job(unique_run(), workspace.path));
  REQUIRE(env.ok());
  constexpr int k_threads = 6;
  std::vector<std::string> failures(k_threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < k_threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < 4; ++i) {
        SplitSink sink;
        ExecSpec spec = shell("echo \"$N\"; echo \"e$N\" >&2; exit $((N % 7))", "/");
        const int n = t * 10 + i;
        spec.env = {{"N", std::to_string(n)}};
        auto status = backend.exec(*env, spec, sink);
        if (!status || status->code != n % 7 || sink.out != std::to_string(n) + "\n" || sink.err != "e" + std::to_string(n) + "\n") {
          failures[t] += "step " + std::to_string(n) + " went wrong; ";
        }
      }
    });
  }
  for (auto& worker : workers) {
    worker.join();
  }
  backend.teardown(*env);
  for (const auto& failure : failures) {
    CHECK(failure.empty());
  }
}

TEST_CASE("a service that never becomes healthy fails after the timeout", "[docker]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_redis);
  if (!has_image(*client, k_busybox)) {
    WARN("skipped: image pipe-test/busybox:latest is missing (run tests/images/build.sh)");
    return;
  }
  Workspace workspace;
  DockerBackendOptions options;
  options.service_health_timeout = 1s;
  DockerBackend backend(client, options);
  JobSpec spec = busybox_job(unique_run(), workspace.path);
  ServiceSpec slow;
  slow.key = "slow";
  slow.image = k_redis;
  slow.options = "--health-cmd 'sleep 60' --health-timeout 2m";
  spec.services.push_back(slow);
  auto env = backend.prepare_job(spec);
  REQUIRE_FALSE(env.ok());
  CHECK_THAT(env.error().message, Catch::Contains("service 'slow' (pipe-test/redis:latest) was not healthy within 1 s"));
  CHECK_THAT(env.error().message, Catch::Contains("Ready to accept connections"));
  CHECK(labelled_objects(*client, spec.run_id) == 0);
}
