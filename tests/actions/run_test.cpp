// `pipe run` with actions served from git repositories (file://), through the real binary.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "action_repo.hpp"
#include "support/run_process.hpp"

using pipeline::test::ActionSandbox;
using pipeline::test::run_process;
namespace fs = std::filesystem;

namespace {

const char* const k_workflow = R"(name: remote actions
on: push
jobs:
  use:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        n: [1, 2, 3, 4]
    steps:
      - id: hello
        uses: octo/composite-hello@v1
        with:
          who: job ${{ matrix.n }}
      - run: echo "composite output=${{ steps.hello.outputs.said }}"
)";

/// A sandbox with both fixture actions published and a workspace holding the workflow.
struct RemoteCase {
  ActionSandbox box{"run"};
  fs::path workspace;

  RemoteCase() {
    const fs::path actions = fs::path(PIPE_FIXTURES_DIR) / "actions";
    box.publish("octo/js-state", actions / "js-state", "v1");
    box.publish("octo/composite-hello", actions / "composite-hello", "v1");
    box.publish("octo/shared", actions / "shared-workflows", "v1");
    workspace = box.root / "ws";
    ActionSandbox::write(workspace / "workflow.yml", k_workflow);
    ::setenv("XDG_CACHE_HOME", (box.root / "xdg").c_str(), 1);
  }

  [[nodiscard]] pipeline::test::ProcessResult run(std::vector<std::string> extra = {}) const {
    std::vector<std::string> argv{PIPE_EXE, "run", "--backend", "host", "workflow.yml"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_process(argv, workspace.string());
  }
};

}  // namespace

TEST_CASE("remote composite and JavaScript actions run from git repositories", "[actions][run]") {
  RemoteCase c;
  auto result = c.run({"--actions-url", c.box.base_url()});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  for (int n = 1; n <= 4; ++n) {
    CHECK(result.out.find("remote composite says hello job " + std::to_string(n)) != std::string::npos);
    CHECK(result.out.find("composite output=hello job " + std::to_string(n)) != std::string::npos);
  }
  CHECK(result.out.find("tool.sh is executable") != std::string::npos);
  CHECK(result.out.find("main nested: state from pre=[]") != std::string::npos);
  CHECK(result.out.find("post nested: state from_pre=[] from_main=[main of nested]") != std::string::npos);
  CHECK(fs::exists(c.box.root / "xdg" / "pipe" / "actions" / "octo" / "composite-hello"));

  SECTION("a warm cache serves --offline after the repositories are gone") {
    fs::remove_all(c.box.root / "repos");
    auto offline = c.run({"--offline"});
    INFO(offline.out << offline.err);
    CHECK(offline.exit_code == 0);
    CHECK(offline.out.find("composite output=hello job 3") != std::string::npos);
  }
}

TEST_CASE("option --offline with a cold cache names the missing action", "[actions][run]") {
  RemoteCase c;
  auto result = c.run({"--offline"});
  CHECK(result.exit_code != 0);
  CHECK((result.out + result.err).find("the action `octo/composite-hello@v1` is not in the cache") !=
        std::string::npos);
}

TEST_CASE("the config file's actions-url is where actions come from; --actions-url wins over it", "[actions][run]") {
  RemoteCase c;
  ::setenv("XDG_CONFIG_HOME", (c.box.root / "no-user-config").c_str(), 1);
  ActionSandbox::write(c.workspace / ".pipe.yml", "actions-url: " + c.box.base_url() + "\n");
  auto configured = c.run();
  INFO(configured.out << configured.err);
  CHECK(configured.exit_code == 0);
  CHECK(configured.out.find("remote composite says hello job 1") != std::string::npos);

  SECTION("the command line wins") {
    fs::remove_all(c.box.root / "xdg");  // a cold cache: the action must be fetched again
    ActionSandbox::write(c.workspace / ".pipe.yml", "actions-url: file:///nonexistent/mirror\n");
    auto bad = c.run();
    CHECK(bad.exit_code != 0);
    CHECK((bad.out + bad.err).find("nonexistent/mirror") != std::string::npos);
    auto flag = c.run({"--actions-url", c.box.base_url()});
    INFO(flag.out << flag.err);
    CHECK(flag.exit_code == 0);
    CHECK(flag.out.find("remote composite says hello job 1") != std::string::npos);
  }
}

TEST_CASE("option --action-override runs a local directory in place of a remote action", "[actions][run]") {
  RemoteCase c;
  const fs::path local = c.box.root / "override";
  ActionSandbox::write(local / "action.yml",
                       "name: local\nruns:\n  using: composite\n  steps:\n    - shell: sh\n      run: echo overridden\n");
  auto result = c.run({"--actions-url", c.box.base_url(), "--action-override",
                       "octo/composite-hello@v1=" + local.string()});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("overridden") != std::string::npos);
  CHECK(result.out.find("remote composite says") == std::string::npos);
}

TEST_CASE("a reusable workflow from a git repository runs with its remote actions", "[actions][run]") {
  RemoteCase c;
  ActionSandbox::write(c.workspace / "call.yml", R"(name: call shared
on: push
jobs:
  shared:
    uses: octo/shared/.github/workflows/greet.yml@v1
    with:
      who: caller
  after:
    needs: shared
    runs-on: ubuntu-latest
    steps:
      - run: echo "shared said=${{ needs.shared.outputs.said }}"
)");
  auto result = run_process({PIPE_EXE, "run", "--backend", "host", "--actions-url", c.box.base_url(), "call.yml"},
                            c.workspace.string());
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("[shared / greet]") != std::string::npos);
  CHECK(result.out.find("remote composite says hello caller via a shared workflow") != std::string::npos);
  CHECK(result.out.find("shared said=hello caller via a shared workflow") != std::string::npos);
}

TEST_CASE("'$/' inside a fetched action or called workflow names that repository, not the workspace",
          "[actions][run]") {
  RemoteCase c;
  c.box.publish("octo/toolkit", fs::path(PIPE_FIXTURES_DIR) / "actions" / "self-toolkit", "v1");
  // A decoy at the same path in the workspace: reaching it would mean `$/` was read as the workspace.
  ActionSandbox::write(c.workspace / "inner" / "action.yml", R"(name: decoy
description: must not run
runs:
  using: composite
  steps:
    - shell: bash
      run: echo "workspace decoy ran"
)");
  ActionSandbox::write(c.workspace / "self.yml", R"(name: remote self references
on: push
jobs:
  use:
    runs-on: ubuntu-latest
    steps:
      - uses: octo/toolkit/outer@v1
        with:
          who: a step
  call:
    uses: octo/toolkit/.github/workflows/shared.yml@v1
    with:
      who: a caller
)");
  auto result = run_process({PIPE_EXE, "run", "--backend", "host", "--actions-url", c.box.base_url(), "self.yml"},
                            c.workspace.string());
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("toolkit inner greets a step via outer") != std::string::npos);
  CHECK(result.out.find("toolkit inner greets a caller") != std::string::npos);
  CHECK(result.out.find("workspace decoy ran") == std::string::npos);
}

TEST_CASE("a '$/' action of the workflow's repository sees that repository and the running commit",
          "[actions][run]") {
  RemoteCase c;
  ActionSandbox::write(c.workspace / "tools" / "who" / "action.yml", R"YML(name: who
description: says where it comes from
runs:
  using: composite
  steps:
    - shell: bash
      run: |
        echo "action repository=[$GITHUB_ACTION_REPOSITORY]"
        echo "action ref is the commit: $([ "$GITHUB_ACTION_REF" = "$GITHUB_SHA" ] && echo yes || echo no)"
)YML");
  ActionSandbox::write(c.workspace / "who.yml",
                       "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: $/tools/who\n");
  const std::string git = ActionSandbox::k_git;
  REQUIRE(ActionSandbox::sh(c.workspace, git + "init -q . && git remote add origin https://github.com/octo/app.git && " +
                                             "git add -A && " + git + "commit -q -m init"));
  auto result = run_process({PIPE_EXE, "run", "--backend", "host", "who.yml"}, c.workspace.string());
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("action repository=[octo/app]") != std::string::npos);
  CHECK(result.out.find("action ref is the commit: yes") != std::string::npos);
}

TEST_CASE("actions/checkout copies tracked files into path: and fetches another repository", "[actions][run]") {
  RemoteCase c;
  ActionSandbox::write(c.workspace / "tracked.txt", "tracked\n");
  ActionSandbox::write(c.workspace / "checkout.yml", R"WF(name: checkout
on: push
jobs:
  co:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          path: copy
          fetch-depth: 0
      - uses: actions/checkout@v4
        with:
          repository: octo/composite-hello
          ref: v1
          path: other
      - run: |
          echo "copy has tracked=$(cat copy/tracked.txt) untracked=$(test -e copy/untracked.txt && echo yes || echo no)"
          echo "other has action.yml=$(test -f other/action.yml && echo yes || echo no)"
)WF");
  const std::string git = ActionSandbox::k_git;
  REQUIRE(ActionSandbox::sh(c.workspace, git + "init -q . && git add tracked.txt checkout.yml && " + git + "commit -q -m init"));
  ActionSandbox::write(c.workspace / "untracked.txt", "untracked\n");
  auto result = run_process({PIPE_EXE, "run", "--backend", "host", "--actions-url", c.box.base_url(), "checkout.yml"},
                            c.workspace.string());
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("copy has tracked=tracked untracked=no") != std::string::npos);
  CHECK(result.out.find("other has action.yml=yes") != std::string::npos);
  CHECK(result.out.find("ignored: fetch-depth 0") != std::string::npos);
}

TEST_CASE("actions/checkout of the current repository with ref: exports that commit locally", "[actions][run]") {
  RemoteCase c;
  ActionSandbox::write(c.workspace / "tracked.txt", "old\n");
  const std::string git = ActionSandbox::k_git;
  REQUIRE(ActionSandbox::sh(c.workspace, git + "init -q . && git add tracked.txt && " + git +
                                             "commit -q -m old && git tag v-old && (git rev-parse --short=9 HEAD > ../old-sha)"));
  ActionSandbox::write(c.workspace / "tracked.txt", "new\n");
  ActionSandbox::write(c.workspace / "later.txt", "later\n");
  REQUIRE(ActionSandbox::sh(c.workspace, "git add tracked.txt later.txt && " + git + "commit -q -m new"));
  std::ifstream sha_file(c.box.root / "old-sha");
  std::string short_sha;
  sha_file >> short_sha;
  REQUIRE(short_sha.size() == 9);
  ActionSandbox::write(c.workspace / "checkout.yml", R"WF(name: checkout ref
on: push
jobs:
  co:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: v-old
          path: by-tag
      - uses: actions/checkout@v4
        with:
          ref: ${{ vars.OLD_SHA }}
          path: by-sha
      - uses: actions/checkout@v4
        with:
          ref: main
      - uses: actions/checkout@v4
        with:
          ref: v-old
      - run: |
          echo "by-tag tracked=$(cat by-tag/tracked.txt) later=$(test -e by-tag/later.txt && echo yes || echo no)"
          echo "by-sha tracked=$(cat by-sha/tracked.txt)"
          echo "workspace tracked=$(cat tracked.txt)"
)WF");
  auto result = run_process({PIPE_EXE, "run", "--backend", "host", "--var", "OLD_SHA=" + short_sha, "checkout.yml"},
                            c.workspace.string());
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("by-tag tracked=old later=no") != std::string::npos);
  CHECK(result.out.find("by-sha tracked=old") != std::string::npos);
  // The workspace is the user's own tree: ref: main is what it holds, v-old is not put over it.
  CHECK(result.out.find("workspace tracked=new") != std::string::npos);
  CHECK(result.out.find("ignored: ref 'v-old'") != std::string::npos);
  CHECK(result.out.find("ignored: ref 'main'") == std::string::npos);

  SECTION("a ref the repository does not have fails the step") {
    ActionSandbox::write(c.workspace / "missing.yml", "on: push\njobs:\n  co:\n    runs-on: ubuntu-latest\n    steps:\n"
                                                       "      - uses: actions/checkout@v4\n        with:\n"
                                                       "          ref: no-such-branch\n          path: x\n");
    auto missing = run_process({PIPE_EXE, "run", "--backend", "host", "missing.yml"}, c.workspace.string());
    CHECK(missing.exit_code != 0);
    CHECK((missing.out + missing.err).find("ref 'no-such-branch' names no branch, tag or commit") != std::string::npos);
  }
}
