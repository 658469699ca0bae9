// `pipe hook run --warm`: each hooked job runs in a container the hook keeps started between
// commits, sees each commit's staged files, and the container goes by itself once idle.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

#include "kept_hook.hpp"
#include "repo_fixture.hpp"
#include "runner/docker/engine_client.hpp"
#include "support/docker_engine.hpp"

using pipeline::runner::docker::EngineClient;
using pipeline::test::TempRepo;
namespace fs = std::filesystem;

namespace {

constexpr const char* k_busybox = "pipe-test/busybox:latest";

// The job fails on purpose: a hook shows the output of a failing step only. `box` is when the
// container's init started (the host network shares the host's name): one per container.
constexpr const char* k_show_workflow = R"yaml(on: push
jobs:
  show:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "box=$(cut -d' ' -f22 /proc/1/stat) content=$(cat file.txt)"
          exit 1
)yaml";

std::string value_after(const std::string& output, const std::string& key) {
  std::smatch match;
  const std::regex pattern(key + "=([A-Za-z0-9][^\\s]*)");  // not the step title's "$(...)"
  return std::regex_search(output, match, pattern) ? match[1].str() : std::string();
}

/// A repository whose jobs run on busybox, and what its warm hook leaves is removed at the end.
struct WarmRepo {
  TempRepo repo;
  pipeline::test::KeptHookCleanup cleanup{{repo.dir()}};
  std::shared_ptr<EngineClient> client;

  explicit WarmRepo(std::shared_ptr<EngineClient> engine) : client(std::move(engine)) {
    repo.write(".pipe.yml", std::string("platforms:\n  ubuntu-latest: ") + k_busybox + "\n");
    repo.write(".github/workflows/show.yml", k_show_workflow);
  }
  /// The containers this repository's warm hook keeps.
  [[nodiscard]] std::vector<std::string> kept() const {
    return pipeline::test::kept_hook_containers(*client, repo.dir(), "show");
  }

  /// Stages file.txt holding `content`, runs the warm hook (with `extra` options), checks the
  /// step saw the content, and returns what the hook printed.
  pipeline::test::ProcessResult run(const std::string& content, const std::string& idle, const std::string& extra = "") {
    repo.write("file.txt", content + "\n");
    auto result = repo.sh("git add -A && \"$PIPE\" hook run --warm --warm-idle " + idle + " " + extra);
    INFO(result.out + result.err);
    CHECK(result.exit_code == 1);
    CHECK(value_after(result.out, "content") == content);
    return result;
  }
  /// Stages file.txt holding `content`, runs the warm hook, and returns the container's box.
  std::string commit(const std::string& content, const std::string& idle) {
    const auto result = run(content, idle);
    const std::string box = value_after(result.out, "box");
    REQUIRE_FALSE(box.empty());
    return box;
  }
  /// The kept container's host directory (bind-mounted at its own path).
  [[nodiscard]] std::string kept_dir() const {
    const auto ids = kept();
    REQUIRE(ids.size() == 1);
    auto info = client->inspect_container(ids.front());
    REQUIRE(info);
    return info->labels.at("pipe.reuse.dir");
  }
};

}  // namespace

TEST_CASE("a warm hook reuses its container across commits and sees each commit's staged files", "[hook][docker][warm]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  WarmRepo warm(client);
  const std::string first = warm.commit("one", "60");
  const auto kept = warm.kept();
  REQUIRE(kept.size() == 1);
  const std::string second = warm.commit("two", "60");
  CHECK(second == first);
  CHECK(warm.kept() == kept);
  auto info = client->inspect_container(kept.front());
  REQUIRE(info);
  CHECK(info->running);  // started, waiting for the next commit
}

TEST_CASE("a warm hook's container goes by itself after its idle time", "[hook][docker][warm]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  WarmRepo warm(client);
  const std::string first = warm.commit("one", "2");
  REQUIRE(warm.kept().size() == 1);
  bool gone = false;
  for (int i = 0; i < 600 && !gone; ++i) {  // a minute at most, on a loaded machine
    gone = warm.kept().empty();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(gone);
  // The next commit starts a fresh container and still sees its own files.
  const std::string next = warm.commit("three", "2");
  CHECK(next != first);
}

TEST_CASE("a warm hook's steps reach the kept container's own agent through its socket, with no exec",
          "[hook][docker][warm][agent]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  WarmRepo warm(client);
  const std::string first = warm.commit("one", "60");
  const auto traced = warm.run("two", "60", "--log-level trace");
  INFO(traced.err);
  CHECK_THAT(traced.err, Catch::Contains("step agent: connected to " + warm.kept_dir() + "/.pipe-agent/sock"));
  CHECK(traced.err.find("/exec -> ") == std::string::npos);  // neither the step nor the agent is an exec
  CHECK(value_after(traced.out, "box") == first);
}

TEST_CASE("without its agent's socket, a warm hook's steps start the agent with an exec", "[hook][docker][warm][agent]") {
  REQUIRE_ENGINE_AND_IMAGE(client, k_busybox);
  WarmRepo warm(client);
  const std::string first = warm.commit("one", "60");
  // As in a container made by an older pipe, or one whose agent could not start.
  fs::remove(fs::path(warm.kept_dir()) / ".pipe-agent" / "sock");
  const auto traced = warm.run("two", "60", "--log-level trace");
  INFO(traced.err);
  CHECK_THAT(traced.err, Catch::Contains("step agent: no listening agent"));
  CHECK_THAT(traced.err, Catch::Contains("/exec -> 201"));
  CHECK(value_after(traced.out, "box") == first);
  CHECK(warm.commit("three", "60") == first);
}
