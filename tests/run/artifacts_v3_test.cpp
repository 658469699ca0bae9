// The legacy v3 artifact API through the official client: @actions/artifact 1.1.2 (what
// upload-artifact and download-artifact v3 bundle) in a local action, talking to a real
// `pipe run`: a matrix of jobs uploads, a later job (on the host, or in a container) downloads.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "runner/docker/engine_client.hpp"
#include "support/files.hpp"
#include "support/fixture_repo.hpp"
#include "support/npm_library.hpp"
#include "support/run_process.hpp"

namespace fs = std::filesystem;
using pipeline::test::run_process;

namespace {

constexpr const char* k_runner_image = "pipe-test/runner:bookworm";

// .ci/setup installs 1.1.2 there; lib/artifact-client.js is 1.x's alone.
std::string npm_dir(std::string& why) {
  return pipeline::test::npm_library("PIPE_TEST_NPM_V3", "npm-artifact-v3",
                                     {"node_modules/@actions/artifact/lib/artifact-client.js"}, "@actions/artifact 1.x", why);
}

// Each file kind takes one path of the client: a small gzip'd one, an empty one, a large
// compressible one (gzip'd whole, one range), a random one over 8 MiB (raw, in ranges) and a
// base64 one whose gzip stream is over 8 MiB (gzip'd, in ranges).
std::string workflow(const std::string& consumer_container) {
  return R"YML(name: artifacts v3
on: push
jobs:
  produce:
    strategy:
      matrix:
        part: [one, two]
    runs-on: ubuntu-latest
    steps:
      - run: |
          p=out-${{ matrix.part }}
          mkdir -p $p/nested/deeper
          printf 'hello ${{ matrix.part }}\n' > $p/${{ matrix.part }}.txt
          : > $p/nested/empty.txt
          yes pipe-artifact-line | head -c 20000000 > $p/nested/compressible.txt
          head -c 9000000 /dev/urandom > $p/nested/deeper/random.bin
          head -c 12000000 /dev/urandom | base64 > $p/nested/deeper/base64.txt
      - uses: ./client-v3
        with: {mode: upload, name: 'part-${{ matrix.part }}', root: 'out-${{ matrix.part }}', files: 'out-${{ matrix.part }}', retention-days: '3'}
      - uses: ./client-v3
        with: {mode: upload, name: shared, root: 'out-${{ matrix.part }}', files: 'out-${{ matrix.part }}/${{ matrix.part }}.txt'}
  consume:
    needs: produce
    runs-on: ubuntu-latest
)YML" + consumer_container + R"YML(    steps:
      - uses: ./client-v3
        with: {mode: download, name: part-one, path: got}
      - uses: ./client-v3
        with: {mode: download-all, path: all}
      - run: |
          for p in one two; do (cd out-$p && find . -type f | sort | xargs sha256sum) > want-$p.sha; done
          (cd got && sha256sum -c ../want-one.sha)
          (cd all/part-one && sha256sum -c ../../want-one.sha)
          (cd all/part-two && sha256sum -c ../../want-two.sha) | sed 's/^/two: /'
          echo "shared: $(cat all/shared/one.txt all/shared/two.txt | tr '\n' ' ')"
          test -f got/nested/empty.txt && test ! -s got/nested/empty.txt && echo "empty file kept"
)YML";
}

/// A scratch repository with the v3 client action and one workflow, removed afterwards.
struct ArtifactRepo : pipeline::test::FixtureRepo {
  ArtifactRepo(const std::string& name, const std::string& text)
      : FixtureRepo("artifacts-v3-" + name, "artifacts/client-v3", "client-v3", text) {}
};

void check_run(const ArtifactRepo& repo, const pipeline::test::ProcessResult& result) {
  const std::string output = result.out + result.err;
  INFO(output);
  REQUIRE(result.exit_code == 0);
  for (const char* file : {"./one.txt", "./nested/empty.txt", "./nested/compressible.txt", "./nested/deeper/random.bin",
                           "./nested/deeper/base64.txt"}) {
    CHECK_THAT(output, Catch::Contains(std::string("| ") + file + ": OK"));
  }
  CHECK_THAT(output, Catch::Contains("two: ./two.txt: OK"));
  CHECK_THAT(output, Catch::Contains("two: ./nested/deeper/base64.txt: OK"));
  CHECK_THAT(output, Catch::Contains("shared: hello one hello two "));
  CHECK_THAT(output, Catch::Contains("empty file kept"));
  CHECK(output.find("FAILED") == std::string::npos);

  const auto listed = run_process({PIPE_EXE, "artifacts"}, repo.path.string());
  INFO(listed.out + listed.err);
  CHECK(listed.exit_code == 0);
  CHECK_THAT(listed.out, Catch::Contains("part-one  43.1 MiB"));
  CHECK_THAT(listed.out, Catch::Contains("shared  20 B"));
  const auto got = run_process({PIPE_EXE, "artifacts", "get", "part-two", "-o", "extracted"}, repo.path.string());
  INFO(got.out + got.err);
  CHECK(got.exit_code == 0);
  CHECK_THAT(got.out, Catch::Contains("extracted 5 file(s) of 'part-two'"));
  for (const char* file : {"two.txt", "nested/empty.txt", "nested/compressible.txt", "nested/deeper/random.bin",
                           "nested/deeper/base64.txt"}) {
    INFO(file);
    CHECK(pipeline::test::read_file(repo.path / "extracted" / file) == pipeline::test::read_file(repo.path / "out-two" / file));
  }
}

}  // namespace

TEST_CASE("@actions/artifact 1.x: a matrix uploads through the v3 API and a later job downloads on the host",
          "[run][artifacts]") {
  std::string why;
  const std::string npm = npm_dir(why);
  if (npm.empty()) {
    WARN(why);
    return;
  }
  ::setenv("PIPE_TEST_NPM_V3", npm.c_str(), 1);
  ArtifactRepo repo("host", workflow(""));
  check_run(repo, run_process({PIPE_EXE, "run", "--backend", "host", "workflow.yml"}, repo.path.string()));
}

TEST_CASE("@actions/artifact 1.x: container jobs upload and a container job downloads through the v3 API",
          "[run][artifacts][docker]") {
  std::string why;
  const std::string npm = npm_dir(why);
  if (npm.empty()) {
    WARN(why);
    return;
  }
  auto client = pipeline::runner::docker::EngineClient::connect_from_environment();
  const auto image = client ? (*client)->image_exists(k_runner_image) : pipeline::Result<bool>(false);
  if (!image || !*image) {
    WARN("skipped: no Docker engine with " << k_runner_image << " (.ci/setup builds it)");
    return;
  }
  ArtifactRepo repo("container", workflow(std::string("    container: ") + k_runner_image + "\n"));
  check_run(repo, run_process({PIPE_EXE, "run", "--backend", "docker", "-P", "ubuntu-latest=" + std::string(k_runner_image),
                               "--container-options", "-v " + npm + ":/__npm-v3:ro", "workflow.yml"},
                              repo.path.string()));
}
