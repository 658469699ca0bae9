// Where the hook's jobs run when no setting chose: DefaultBackend with a scripted engine probe,
// the images read from workflows, and run_hook with both and a run that only records its options.
#include <catch2/catch.hpp>

#include <iostream>
#include <map>
#include <sstream>

#include "runner/hook/backend_choice.hpp"
#include "runner/hook/hook_run.hpp"
#include "runner/hook/job_images.hpp"
#include "runner/hook/kept_hook.hpp"
#include "runner/hook/repo_fixture.hpp"
#include "workflow/loader.hpp"

using namespace pipeline::runner;
using pipeline::Error;
using pipeline::Result;
using pipeline::test::TempRepo;

namespace {

/// An engine that answers (or not) and holds the images it is given; counts every question.
class FakeProbe : public hook::EngineProbe {
public:
  bool answers = true;
  std::map<std::string, bool> images;
  int pings = 0;
  std::map<std::string, int> inspected;

  [[nodiscard]] std::string where() const override { return "unix:///fake/docker.sock"; }
  [[nodiscard]] Result<void> ping() override {
    ++pings;
    return answers ? Result<void>{} : Result<void>{Error{"connection refused"}};
  }
  [[nodiscard]] Result<bool> has_image(const std::string& image) override {
    ++inspected[image];
    return images[image];
  }
};

const std::string k_no_engine =
    "pipe: hook: no container engine at unix:///fake/docker.sock; jobs run on the host "
    "(set hook.backend: host to skip this check)";

pipeline::workflow::Workflow parse(const std::string& text) {
  auto loaded = pipeline::workflow::load_workflow_text(text, "ci.yml");
  REQUIRE(loaded.workflow);
  return *loaded.workflow;
}

std::string images_text(const std::vector<hook::JobImage>& images) {
  std::string out;
  for (const auto& [job, image] : images) {
    out += job + "=" + image + ";";
  }
  return out;
}

}  // namespace

TEST_CASE("the default backend asks nothing when no job needs an image", "[hook][backend]") {
  FakeProbe probe;
  probe.answers = false;
  hook::DefaultBackend fallback(probe);
  const auto decision = fallback.choose({});
  CHECK(decision.backend == job::BackendChoice::docker);
  CHECK(decision.notice.empty());
  CHECK(probe.pings == 0);
}

TEST_CASE("the default backend is containers when the engine answers and the images are here", "[hook][backend]") {
  FakeProbe probe;
  probe.images = {{"busybox", true}, {"alpine", true}};
  hook::DefaultBackend fallback(probe);
  for (int commit = 0; commit < 2; ++commit) {  // a pre-push hook's second commit asks nothing again
    const auto decision = fallback.choose({{"a", "busybox"}, {"b", "busybox"}, {"c", "alpine"}});
    CHECK(decision.backend == job::BackendChoice::docker);
    CHECK(decision.notice.empty());
  }
  CHECK(probe.pings == 1);
  CHECK(probe.inspected == std::map<std::string, int>{{"alpine", 1}, {"busybox", 1}});
}

TEST_CASE("an image decided by an expression needs only the engine", "[hook][backend]") {
  FakeProbe probe;
  hook::DefaultBackend fallback(probe);
  CHECK(fallback.choose({{"matrix", ""}}).backend == job::BackendChoice::docker);
  CHECK(probe.pings == 1);
  CHECK(probe.inspected.empty());
  FakeProbe down;
  down.answers = false;
  hook::DefaultBackend without(down);
  const auto decision = without.choose({{"matrix", ""}});
  CHECK(decision.backend == job::BackendChoice::host);
  CHECK(decision.notice == k_no_engine);
}

TEST_CASE("with no engine the default backend is the host, said once", "[hook][backend]") {
  FakeProbe probe;
  probe.answers = false;
  hook::DefaultBackend fallback(probe);
  const auto first = fallback.choose({{"lint", "busybox"}});
  CHECK(first.backend == job::BackendChoice::host);
  CHECK(first.notice == k_no_engine);
  const auto second = fallback.choose({{"lint", "busybox"}});
  CHECK(second.backend == job::BackendChoice::host);
  CHECK(second.notice.empty());
  CHECK(probe.pings == 1);
  CHECK(probe.inspected.empty());
}

TEST_CASE("an image that is not here puts the jobs on the host, naming the image and its jobs", "[hook][backend]") {
  struct Case {
    std::vector<hook::JobImage> images;
    std::string notice;
  };
  const std::vector<Case> cases{
      {{{"lint", "gone:1"}, {"test", "busybox"}},
       "pipe: hook: image gone:1 (job lint) is not present locally, and a hook does not pull; jobs run on the host "
       "(pull it, or set hook.backend: host to skip this check)"},
      {{{"a", "gone:1"}, {"b", "gone:1"}, {"c", "gone:2"}},
       "pipe: hook: images gone:1 (jobs a, b), gone:2 (job c) are not present locally, and a hook does not pull; jobs "
       "run on the host (pull them, or set hook.backend: host to skip this check)"},
  };
  for (const auto& c : cases) {
    FakeProbe probe;
    probe.images = {{"busybox", true}};
    hook::DefaultBackend fallback(probe);
    const auto decision = fallback.choose(c.images);
    CHECK(decision.backend == job::BackendChoice::host);
    CHECK(decision.notice == c.notice);
  }
}

TEST_CASE("the images of the hooked jobs are read as written and mapped as pipe run maps runs-on", "[hook][backend]") {
  const auto wf = parse(R"(on: push
jobs:
  plain:
    runs-on: ubuntu-latest
  pinned:
    runs-on: [ubuntu-22.04]
  grouped:
    runs-on: {group: g, labels: [ubuntu-24.04]}
  boxed:
    runs-on: self-hosted
    container: alpine:3
  boxed-long:
    runs-on: ubuntu-latest
    container:
      image: debian:12
  on-host:
    runs-on: [self-hosted, linux]
  matrix:
    runs-on: ${{ matrix.os }}
  image-expr:
    runs-on: ubuntu-latest
    container: ${{ matrix.image }}
  no-runner:
    runs-on: macos-latest
  caller:
    uses: ./.github/workflows/other.yml
)");
  CHECK(images_text(hook::job_images(wf, {}, {})) ==
        "plain=catthehacker/ubuntu:act-latest;pinned=catthehacker/ubuntu:act-22.04;"
        "grouped=catthehacker/ubuntu:act-24.04;boxed=alpine:3;boxed-long=debian:12;matrix=;image-expr=;");
  CHECK(images_text(hook::job_images(wf, {"plain", "on-host"}, {{"ubuntu-latest", "busybox"}})) == "plain=busybox;");
  CHECK(images_text(hook::job_images(wf, {"plain"}, {{"ubuntu-latest", "host"}})).empty());
}

TEST_CASE("the images of chosen jobs include those of the jobs they need", "[hook][backend]") {
  const auto wf = parse(R"(on: push
jobs:
  build:
    runs-on: ubuntu-latest
    container: builder:1
  lint:
    runs-on: ubuntu-latest
    needs: build
    container: linter:1
  other:
    runs-on: ubuntu-latest
    container: other:1
)");
  CHECK(images_text(hook::job_images(wf, {"lint"}, {})) == "build=builder:1;lint=linter:1;");
}

namespace {

/// A staged repository whose one job runs on `ubuntu-latest`, mapped to busybox.
struct StagedRepo {
  TempRepo repo;
  pipeline::test::KeptHookCleanup kept{{repo.dir()}};  // the stable export directory a default hook makes
  StagedRepo(const std::string& config = "") {
    repo.write(".pipe.yml", "platforms:\n  ubuntu-latest: busybox\n" + config);
    repo.write(".github/workflows/ci.yml", "on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n"
                                           "      - run: 'true'\n");
    REQUIRE(repo.sh("git add -A").exit_code == 0);
  }

  /// Runs the hook with `options` and `probe`; returns the options the run was given and what the hook printed on stderr.
  std::pair<job::RunOptions, std::string> hook(hook::HookRunOptions options, FakeProbe& probe) const {
    options.directory = repo.dir();
    job::RunOptions given;
    std::ostringstream err;
    auto* old = std::cerr.rdbuf(err.rdbuf());
    std::istringstream no_input;
    const int code = hook::run_hook(options, no_input, [&](const job::RunOptions& run) {
      given = run;
      return 0;
    }, &probe);
    std::cerr.rdbuf(old);
    CHECK(code == 0);
    return {given, err.str()};
  }
};

}  // namespace

TEST_CASE("run_hook: by default jobs run in containers kept for the next commit", "[hook][backend]") {
  StagedRepo staged;
  FakeProbe probe;
  probe.images = {{"busybox", true}};
  const auto [run, err] = staged.hook({}, probe);
  CHECK(run.backend == job::BackendChoice::docker);
  CHECK(run.reuse);
  CHECK(err.empty());
  CHECK(probe.inspected == std::map<std::string, int>{{"busybox", 1}});
}

TEST_CASE("run_hook: with no engine the default falls back to the host and keeps nothing", "[hook][backend]") {
  StagedRepo staged;
  FakeProbe probe;
  probe.answers = false;
  const auto [run, err] = staged.hook({}, probe);
  CHECK(run.backend == job::BackendChoice::host);
  CHECK_FALSE(run.reuse);
  CHECK(err == k_no_engine + "\n");
}

TEST_CASE("run_hook: a backend that was chosen is never checked nor replaced", "[hook][backend]") {
  struct Case {
    std::string config;
    std::optional<job::BackendChoice> flag;
    std::optional<bool> warm;
    job::BackendChoice backend;
    bool reuse;
  };
  const std::vector<Case> cases{
      {"", job::BackendChoice::docker, std::nullopt, job::BackendChoice::docker, true},
      {"hook:\n  backend: docker\n", std::nullopt, std::nullopt, job::BackendChoice::docker, true},
      {"", std::nullopt, true, job::BackendChoice::docker, true},  // --warm asks for containers
      {"hook:\n  warm: true\n", std::nullopt, std::nullopt, job::BackendChoice::docker, true},
      {"", job::BackendChoice::host, std::nullopt, job::BackendChoice::host, false},
      {"hook:\n  backend: host\n", std::nullopt, std::nullopt, job::BackendChoice::host, false},
      {"hook:\n  backend: host\n", job::BackendChoice::docker, std::nullopt, job::BackendChoice::docker, true},
  };
  for (const auto& c : cases) {
    INFO(c.config);
    StagedRepo staged(c.config);
    FakeProbe probe;
    probe.answers = false;
    hook::HookRunOptions options;
    options.backend = c.flag;
    options.warm = c.warm;
    const auto [run, err] = staged.hook(options, probe);
    CHECK(run.backend == c.backend);
    CHECK(run.reuse == c.reuse);
    CHECK(err.empty());
    CHECK(probe.pings == 0);
  }
}

TEST_CASE("run_hook: --no-warm and hook.warm: false keep containers the default, without keeping them",
          "[hook][backend]") {
  for (const std::string config : {"", "hook:\n  warm: false\n"}) {
    StagedRepo staged(config);
    FakeProbe probe;
    probe.images = {{"busybox", true}};
    hook::HookRunOptions options;
    if (config.empty()) {
      options.warm = false;
    }
    const auto [run, err] = staged.hook(options, probe);
    CHECK(run.backend == job::BackendChoice::docker);
    CHECK_FALSE(run.reuse);
    CHECK(probe.pings == 1);
  }
}
