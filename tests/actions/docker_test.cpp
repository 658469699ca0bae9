// Docker container actions through the real binary: from an image and from a Dockerfile.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "action_repo.hpp"
#include "support/run_process.hpp"

using pipeline::test::ActionSandbox;
using pipeline::test::run_process;
namespace fs = std::filesystem;

namespace {

bool engine_answers() {
  return std::system("docker info >/dev/null 2>&1") == 0;
}

}  // namespace

TEST_CASE("Docker actions run from an image and from a Dockerfile on a host job", "[actions][docker]") {
  if (!engine_answers()) {
    WARN("skipped: no container engine answers (docker info failed)");
    return;
  }
  ActionSandbox box("docker");
  const fs::path ws = box.root / "ws";
  for (const char* name : {"docker-image", "docker-build"}) {
    fs::create_directories(ws / ".github" / "actions" / name);
    fs::copy(fs::path(PIPE_FIXTURES_DIR) / "actions" / name, ws / ".github" / "actions" / name,
             fs::copy_options::recursive);
  }
  ActionSandbox::write(ws / "workflow.yml", R"WF(name: docker actions
on: push
jobs:
  d:
    runs-on: ubuntu-latest
    steps:
      - id: img
        uses: ./.github/actions/docker-image
        with:
          who: octo
      - id: built
        uses: ./.github/actions/docker-build
        with:
          word: built-word
      - id: raw
        uses: docker://pipe-test/busybox:latest
        with:
          entrypoint: /bin/echo
          args: raw docker step
      - uses: docker://pipe-test/busybox:latest
        with:
          entrypoint: /bin/sh
          args: -c "test -S /var/run/docker.sock && echo \"engine socket is mounted\""
      - run: |
          echo "outputs img=[${{ steps.img.outputs.greeting }}] built=[${{ steps.built.outputs.word }}]"
          echo "exported=$DOCKER_EXPORTED"
)WF");
  auto result = run_process({PIPE_EXE, "run", "--backend", "host", "workflow.yml"}, ws.string());
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("docker stage args=[hello octo] [second arg] input=[octo] env=[from runs.env] "
                        "pwd=/github/workspace home=/github/home") != std::string::npos);
  CHECK(result.out.find("workspace has the workflow: yes") != std::string::npos);
  CHECK(result.out.find("event file: yes") != std::string::npos);
  CHECK(result.out.find("Pre Run ./.github/actions/docker-image") != std::string::npos);
  CHECK(result.out.find("docker post sees state=ran") != std::string::npos);
  CHECK(result.out.find("built image says built-word") != std::string::npos);
  CHECK(result.out.find("raw docker step") != std::string::npos);
  // Quoted args stay one argument, and the engine's socket is there as on GitHub.
  CHECK(result.out.find("engine socket is mounted") != std::string::npos);
  CHECK(result.out.find("outputs img=[hello octo] built=[built-word]") != std::string::npos);
  CHECK(result.out.find("exported=yes") != std::string::npos);
}

TEST_CASE("JavaScript and remote composite actions run inside a job container", "[actions][docker]") {
  if (!engine_answers()) {
    WARN("skipped: no container engine answers (docker info failed)");
    return;
  }
  ActionSandbox box("container");
  const fs::path actions = fs::path(PIPE_FIXTURES_DIR) / "actions";
  box.publish("octo/js-state", actions / "js-state", "v1");
  box.publish("octo/composite-hello", actions / "composite-hello", "v1");
  ::setenv("XDG_CACHE_HOME", (box.root / "xdg").c_str(), 1);
  const fs::path ws = box.root / "ws";
  ActionSandbox::write(ws / "workflow.yml", R"WF(name: container actions
on: push
jobs:
  c:
    runs-on: ubuntu-latest
    container: pipe-test/runner:bookworm
    steps:
      - id: js
        uses: octo/js-state@v1
        with:
          label: boxed
          node-version: 20
      - uses: octo/composite-hello@v1
        with:
          who: container
      - run: echo "container js output=[${{ steps.js.outputs.greeting }}]"
)WF");
  auto result = run_process({PIPE_EXE, "run", "--backend", "docker", "--pull", "never", "--actions-url",
                             box.base_url(), "workflow.yml"},
                            ws.string());
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("main boxed: state from pre=[pre of boxed]") != std::string::npos);
  // A hyphenated input name reaches node: no shell in between drops it.
  CHECK(result.out.find("main boxed: hyphenated input=[20] via getInput=[20]") != std::string::npos);
  CHECK(result.out.find("post boxed: state from_pre=[pre of boxed] from_main=[main of boxed]") != std::string::npos);
  CHECK(result.out.find("remote composite says hello container") != std::string::npos);
  CHECK(result.out.find("container js output=[hello boxed") != std::string::npos);
}
