// Artifacts through the official client: @actions/artifact (what upload-artifact and
// download-artifact bundle) in a local action, talking to the services of a real `pipe run`,
// on the host and in a job container.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runner/docker/engine_client.hpp"
#include "support/files.hpp"
#include "support/fixture_repo.hpp"
#include "support/npm_library.hpp"
#include "support/run_process.hpp"

namespace fs = std::filesystem;
using pipeline::test::run_process;

namespace {

constexpr const char* k_runner_image = "pipe-test/runner:bookworm";
// The header every runtime token starts with ({"alg":"HS256","typ":"JWT"}): no log or file may hold one.
constexpr const char* k_token_header = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

std::string npm_dir(std::string& why) {
  return pipeline::test::npm_library("PIPE_TEST_NPM", "npm-artifact", {"node_modules/@actions/artifact/lib/artifact.js"},
                                     "@actions/artifact", why);
}

std::string workflow(const std::string& consumer_container) {
  return R"(name: artifacts
on: push
jobs:
  produce:
    runs-on: ubuntu-latest
    steps:
      - run: |
          mkdir -p out/sub
          printf 'hello\n' > out/a.txt
          head -c 3000000 /dev/urandom > out/sub/big.bin
          printf 'raw bytes' > report.txt
      - uses: ./client
        with: {mode: upload, name: bundle, root: out, files: "out/a.txt\nout/sub/big.bin", retention-days: '3'}
      - uses: ./client
        with: {mode: upload, name: report.txt, files: report.txt, archive: 'false'}
      - uses: ./client
        with: {mode: upload, name: bundle, root: out, files: out/a.txt, expect-error: already exists}
      - uses: ./client
        with: {mode: delete, name: report.txt}
      - uses: ./client
        with: {mode: upload, name: report.txt, files: report.txt, archive: 'false'}
  consume:
    needs: produce
    runs-on: ubuntu-latest
)" + consumer_container + R"(    steps:
      - uses: ./client
        with: {mode: download, name: bundle, path: got}
      - uses: ./client
        with: {mode: download, name: report.txt, path: got-raw}
      - uses: ./client
        with: {mode: list}
      - run: |
          cd out && sha256sum a.txt sub/big.bin > ../want.sha && cd ..
          cd got && sha256sum -c ../want.sha && cd ..
          cmp report.txt got-raw/report.txt && echo raw file intact
)";
}

/// A scratch repository with the client action and one workflow, removed afterwards.
struct ArtifactRepo : pipeline::test::FixtureRepo {
  ArtifactRepo(const std::string& name, const std::string& text)
      : FixtureRepo("artifacts-" + name, "artifacts/client", "client", text) {}
};

/// What every artifact run must show: both jobs passed, the bytes matched, no token leaked,
/// and `pipe artifacts` lists and extracts what the jobs uploaded.
void check_run(const ArtifactRepo& repo, const pipeline::test::ProcessResult& result) {
  const std::string output = result.out + result.err;
  INFO(output);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(output, Catch::Contains("failed as expected: Failed to CreateArtifact: Received non-retryable error: "
                                     "Failed request: (409) Conflict: an artifact named 'bundle' already exists"));
  CHECK_THAT(output, Catch::Contains("a.txt: OK"));
  CHECK_THAT(output, Catch::Contains("sub/big.bin: OK"));
  CHECK_THAT(output, Catch::Contains("raw file intact"));
  CHECK_THAT(output, Catch::Contains("deleted report.txt id=2"));  // what overwrite: true does first
  CHECK_THAT(output, Catch::Contains("uploaded report.txt id=3"));
  CHECK_THAT(output, Catch::Contains("artifact report.txt size=9"));
  CHECK(output.find(k_token_header) == std::string::npos);
  CHECK(pipeline::test::files_containing(repo.path, k_token_header).empty());

  const auto run = nlohmann::json::parse(pipeline::test::read_file(repo.path / ".pipe" / "runs" / "latest" / "run.json"));
  REQUIRE(run["artifacts"].size() == 2);
  CHECK(run["artifacts"][0]["name"] == "bundle");
  CHECK(run["artifacts"][0].contains("expires_at"));

  const auto listed = run_process({PIPE_EXE, "artifacts"}, repo.path.string());
  INFO(listed.out + listed.err);
  CHECK(listed.exit_code == 0);
  CHECK_THAT(listed.out, Catch::Contains("report.txt  9 B  sha256:"));
  const auto got = run_process({PIPE_EXE, "artifacts", "get", "bundle", "-o", "extracted"}, repo.path.string());
  INFO(got.out + got.err);
  CHECK(got.exit_code == 0);
  CHECK(pipeline::test::read_file(repo.path / "extracted" / "sub" / "big.bin") == pipeline::test::read_file(repo.path / "out" / "sub" / "big.bin"));
  CHECK(pipeline::test::read_file(repo.path / "extracted" / "a.txt") == "hello\n");
  const auto missing = run_process({PIPE_EXE, "artifacts", "get", "nope"}, repo.path.string());
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("has no artifact named 'nope'"));
}

}  // namespace

TEST_CASE("@actions/artifact uploads in one job and downloads in a later one on the host", "[run][artifacts]") {
  std::string why;
  const std::string npm = npm_dir(why);
  if (npm.empty()) {
    WARN(why);
    return;
  }
  ::setenv("PIPE_TEST_NPM", npm.c_str(), 1);
  ArtifactRepo repo("host", workflow(""));
  check_run(repo, run_process({PIPE_EXE, "run", "--backend", "host", "workflow.yml"}, repo.path.string()));
}

TEST_CASE("a container job downloads what a host job uploaded", "[run][artifacts][docker]") {
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
  ::setenv("PIPE_TEST_NPM", npm.c_str(), 1);
  ArtifactRepo repo("container", workflow(std::string("    container: ") + k_runner_image + "\n"));
  check_run(repo, run_process({PIPE_EXE, "run", "--backend", "docker", "-P", "ubuntu-latest=host",
                               "--container-options", "-v " + npm + ":/__npm:ro", "workflow.yml"},
                              repo.path.string()));
}

TEST_CASE("pattern and merge-multiple gather several artifacts; a called workflow shares the caller's artifacts",
          "[run][artifacts]") {
  std::string why;
  const std::string npm = npm_dir(why);
  if (npm.empty()) {
    WARN(why);
    return;
  }
  ::setenv("PIPE_TEST_NPM", npm.c_str(), 1);
  ArtifactRepo repo("many", R"YML(name: many
on: push
jobs:
  produce:
    runs-on: ubuntu-latest
    steps:
      - run: |
          mkdir -p a b
          printf 'from a\n' > a/a.txt
          printf 'from b\n' > b/b.txt
          printf 'other\n' > other.txt
      - uses: ./client
        with: {mode: upload, name: part-a, root: a, files: a/a.txt}
      - uses: ./client
        with: {mode: upload, name: part-b, root: b, files: b/b.txt}
      - uses: ./client
        with: {mode: upload, name: other, files: other.txt}
  gather:
    needs: produce
    runs-on: ubuntu-latest
    steps:
      - uses: ./client
        with: {mode: download-all, pattern: 'part-*', merge-multiple: 'true', path: merged}
      - uses: ./client
        with: {mode: download-all, pattern: 'part-*', path: apart}
      - run: |
          echo "merged: $(cat merged/a.txt merged/b.txt | tr '\n' ' ')"
          echo "apart: $(cat apart/part-a/a.txt apart/part-b/b.txt | tr '\n' ' ')"
          test ! -e merged/other.txt && echo "other left out"
  called:
    needs: produce
    uses: ./.github/workflows/called.yml
  after:
    needs: called
    runs-on: ubuntu-latest
    steps:
      - uses: ./client
        with: {mode: list}
)YML");
  fs::create_directories(repo.path / ".github" / "workflows");
  std::ofstream(repo.path / ".github" / "workflows" / "called.yml") << R"YML(on: workflow_call
jobs:
  inner:
    runs-on: ubuntu-latest
    steps:
      - uses: ./client
        with: {mode: download, name: other, path: from-caller}
      - run: echo "called read $(cat from-caller/other.txt)"
      - uses: ./client
        with: {mode: upload, name: from-called, files: other.txt}
)YML";
  const auto result = run_process({PIPE_EXE, "run", "--backend", "host", "workflow.yml"}, repo.path.string());
  const std::string output = result.out + result.err;
  INFO(output);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(output, Catch::Contains("merged: from a from b "));
  CHECK_THAT(output, Catch::Contains("apart: from a from b "));
  CHECK_THAT(output, Catch::Contains("other left out"));
  CHECK_THAT(output, Catch::Contains("called read other"));
  CHECK_THAT(output, Catch::Contains("artifact from-called size="));
  const auto run = nlohmann::json::parse(pipeline::test::read_file(repo.path / ".pipe" / "runs" / "latest" / "run.json"));
  CHECK(run["artifacts"].size() == 4);
}

TEST_CASE("pipe artifacts prune removes the artifacts of recorded runs whose retention ended", "[run][artifacts]") {
  ArtifactRepo repo("prune", "on: push\njobs: {}\n");
  const fs::path artifacts = repo.path / ".pipe" / "runs" / "20260101-000000-abcd" / "artifacts";
  const auto write = [&](const std::string& name, std::int64_t expires_at) {
    fs::create_directories(artifacts / name);
    std::ofstream(artifacts / name / "content") << "x";
    std::ofstream(artifacts / name / "artifact.json")
        << nlohmann::json{{"id", 1},         {"name", name},  {"job", "j"},       {"mime_type", "application/zip"},
                          {"size", 1},       {"digest", ""},  {"created_at", 1}, {"expires_at", expires_at},
                          {"finalized", true}}
               .dump();
  };
  write("ended", 1);
  write("kept", 0);
  std::ofstream(artifacts.parent_path() / "run.json") << "{}";
  const auto pruned = run_process({PIPE_EXE, "artifacts", "prune"}, repo.path.string());
  INFO(pruned.out + pruned.err);
  CHECK(pruned.exit_code == 0);
  CHECK(pruned.out == "removed 1 expired artifact(s)\n");
  CHECK_FALSE(fs::exists(artifacts / "ended"));
  CHECK(fs::exists(artifacts / "kept" / "content"));
}
