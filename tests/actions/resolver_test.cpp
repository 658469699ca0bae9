// The resolver against real git repositories served through file:// URLs.
#include <catch2/catch.hpp>

#include <thread>

#include "action_repo.hpp"
#include "actions/resolver.hpp"

using namespace pipeline::actions;
using pipeline::test::ActionSandbox;
namespace fs = std::filesystem;

namespace {

const char* const k_action = "name: hello\ndescription: says hello\nruns:\n  using: composite\n  steps:\n"
                             "    - run: echo hello\n      shell: bash\n";

fs::path make_source(ActionSandbox& box) {
  const auto source = box.root / "source";
  ActionSandbox::write(source / "action.yml", k_action);
  ActionSandbox::write(source / "sub" / "action.yml", k_action);
  ActionSandbox::write(source / "bin" / "tool.sh", "#!/bin/sh\necho tool\n");
  return source;
}

ResolverOptions options_for(const ActionSandbox& box, Network network = Network::online) {
  ResolverOptions options;
  options.base_url = box.base_url();
  options.cache_dir = box.cache();
  options.network = network;
  return options;
}

}  // namespace

TEST_CASE("parse_uses reads every form of uses:", "[actions]") {
  struct Row {
    const char* text;
    ActionKind kind;
    const char* owner;
    const char* repo;
    const char* sub;
    const char* ref;
  };
  const Row rows[] = {
      {"actions/setup-node@v4", ActionKind::git, "actions", "setup-node", "", "v4"},
      {"github/codeql-action/init@v3", ActionKind::git, "github", "codeql-action", "init", "v3"},
      {"o/r/a/b@feature/x", ActionKind::git, "o", "r", "a/b", "feature/x"},
      {"./.github/actions/mine", ActionKind::local, "", "", "", ""},
      {"docker://alpine:3.19", ActionKind::docker, "", "", "", ""},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    auto ref = parse_uses(row.text);
    REQUIRE(ref);
    CHECK(ref->kind == row.kind);
    CHECK(ref->owner == row.owner);
    CHECK(ref->repo == row.repo);
    CHECK(ref->sub_path == row.sub);
    CHECK(ref->ref == row.ref);
  }
  CHECK(parse_uses("docker://alpine:3.19")->image == "alpine:3.19");
  for (const char* bad : {"actions/checkout", "checkout@v4", "/x@v1", "a/b@"}) {
    INFO(bad);
    auto ref = parse_uses(bad);
    REQUIRE_FALSE(ref);
    CHECK(ref.error().message.find("Expected format {org}/{repo}[/path]@ref") != std::string::npos);
  }
}

TEST_CASE("'$/' names the repository of the file it is written in", "[actions]") {
  CHECK(parse_uses("$/.github/actions/x")->kind == ActionKind::local);
  CHECK(parse_uses("$/.github/actions/x")->path == "./.github/actions/x");
  CHECK(anchor_self_reference("$/.github/actions/x", nullptr) == "./.github/actions/x");
  CHECK(anchor_self_reference("$/", nullptr) == "./");
  ResolvedAction local;
  CHECK(anchor_self_reference("$/tools/lint/", &local) == "./tools/lint");
  ResolvedAction remote;
  remote.kind = ActionKind::git;
  remote.repository = "octo/toolkit";
  remote.ref = "v2";
  CHECK(anchor_self_reference("$/tools/lint", &remote) == "octo/toolkit/tools/lint@v2");
  CHECK(anchor_self_reference("$/", &remote) == "octo/toolkit@v2");
  CHECK(anchor_self_reference("actions/checkout@v4", &remote) == "actions/checkout@v4");
  CHECK(anchor_self_reference("./x", &remote) == "./x");

  ResolverOptions options;
  options.cache_dir = "/cache/pipe/actions";
  Resolver resolver(options);
  const std::string sha(40, 'a');
  auto origin = resolver.origin_of("/cache/pipe/actions/octo/toolkit/" + sha + "/.github/workflows/w.yml");
  REQUIRE(origin);
  CHECK(origin->repository == "octo/toolkit");
  CHECK(origin->ref == sha);
  CHECK_FALSE(resolver.origin_of("/work/repo/.github/workflows/w.yml"));
  CHECK_FALSE(resolver.origin_of(".github/workflows/w.yml"));
  CHECK_FALSE(resolver.origin_of("/cache/pipe/actions/octo/toolkit/.refs/v1"));
}

TEST_CASE("a tag, a branch and a full SHA resolve to the same cached commit", "[actions]") {
  ActionSandbox box("refs");
  const std::string sha = box.publish("octo/hello", make_source(box), "v1");
  Resolver resolver(options_for(box));
  for (const std::string& uses : std::vector<std::string>{"octo/hello@v1", "octo/hello@main", "octo/hello@" + sha}) {
    INFO(uses);
    auto action = resolver.resolve(uses, "/nowhere");
    REQUIRE(action);
    CHECK(action->sha == sha);
    CHECK(action->dir == box.cache() + "/octo/hello/" + sha);
    REQUIRE(action->manifest);
    CHECK(action->manifest->name == "hello");
  }
  CHECK(fs::exists(box.cache() + "/octo/hello/" + sha + "/bin/tool.sh"));
  CHECK((fs::status(box.cache() + "/octo/hello/" + sha + "/bin/tool.sh").permissions() & fs::perms::owner_exec) ==
        fs::perms::none);
  auto sub = resolver.resolve("octo/hello/sub@v1", "/nowhere");
  REQUIRE(sub);
  CHECK(sub->dir == box.cache() + "/octo/hello/" + sha + "/sub");
  CHECK(resolver.fetch_count() == 1);
}

TEST_CASE("twenty parallel jobs asking for one action fetch it once", "[actions]") {
  ActionSandbox box("parallel");
  box.publish("octo/hello", make_source(box), "v1");
  Resolver resolver(options_for(box));
  std::vector<std::thread> threads;
  std::atomic<int> resolved{0};
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&] {
      if (resolver.resolve("octo/hello@v1", "/nowhere")) {
        ++resolved;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  CHECK(resolved == 20);
  CHECK(resolver.fetch_count() == 1);
}

TEST_CASE("a short SHA is refused with GitHub's message", "[actions]") {
  ActionSandbox box("short");
  const std::string sha = box.publish("octo/hello", make_source(box), "v1");
  Resolver resolver(options_for(box));
  auto action = resolver.resolve("octo/hello@" + sha.substr(0, 7), "/nowhere");
  REQUIRE_FALSE(action);
  CHECK(action.error().message == "Unable to resolve action `octo/hello@" + sha.substr(0, 7) +
                                      "`, the provided ref `" + sha.substr(0, 7) +
                                      "` is the shortened version of a commit SHA, which is not supported. "
                                      "Please use the full commit SHA `" + sha + "` instead.");
  auto missing = resolver.resolve("octo/hello@v9", "/nowhere");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message == "Unable to resolve action `octo/hello@v9`, unable to find version `v9`");
  auto no_repo = resolver.resolve("octo/absent@v1", "/nowhere");
  REQUIRE_FALSE(no_repo);
  CHECK(no_repo.error().message.find("octo/absent@v1") != std::string::npos);
}

TEST_CASE("offline resolution uses the cache and names a missing action", "[actions]") {
  ActionSandbox box("offline");
  const std::string sha = box.publish("octo/hello", make_source(box), "v1");
  {
    Resolver offline(options_for(box, Network::offline));
    auto miss = offline.resolve("octo/hello@v1", "/nowhere");
    REQUIRE_FALSE(miss);
    CHECK(miss.error().message.find("`octo/hello@v1` is not in the cache") != std::string::npos);
  }
  {
    Resolver online(options_for(box));
    REQUIRE(online.resolve("octo/hello@v1", "/nowhere"));
  }
  fs::remove_all(box.root / "repos");  // the network is gone
  Resolver offline(options_for(box, Network::offline));
  auto hit = offline.resolve("octo/hello@v1", "/nowhere");
  REQUIRE(hit);
  CHECK(hit->sha == sha);
  CHECK(offline.fetch_count() == 0);
}

TEST_CASE("a warm cache resolves without fetching, again and again", "[actions]") {
  // How fast: bench/bench_actions.cpp (no timing thresholds in tests).
  ActionSandbox box("warm");
  box.publish("octo/hello", make_source(box), "v1");
  {
    Resolver cold(options_for(box));
    REQUIRE(cold.resolve("octo/hello@v1", "/nowhere"));
  }
  for (int i = 0; i < 3; ++i) {
    Resolver warm(options_for(box));
    REQUIRE(warm.resolve("octo/hello@v1", "/nowhere"));
    CHECK(warm.fetch_count() == 0);
  }
}

TEST_CASE("option --action-override replaces a remote action by a local directory", "[actions]") {
  ActionSandbox box("override");
  const auto source = make_source(box);
  ResolverOptions options = options_for(box);
  options.overrides.emplace_back("octo/hello@v1", source.string());
  Resolver resolver(options);
  auto action = resolver.resolve("octo/hello/sub@v1", "/nowhere");
  REQUIRE(action);
  CHECK(action->dir == (source / "sub").string());
  CHECK(resolver.fetch_count() == 0);
}

TEST_CASE("a broken action.yml is reported at its line", "[actions]") {
  ActionSandbox box("broken");
  ActionSandbox::write(box.root / "ws" / "act" / "action.yml",
                       "name: broken\nruns:\n  using: composite\n  stepz:\n    - run: echo\n");
  Resolver resolver(options_for(box));
  auto action = resolver.resolve("./act", (box.root / "ws").string());
  REQUIRE_FALSE(action);
  INFO(action.error().message);
  CHECK(action.error().message.find("action.yml:4:") != std::string::npos);
  auto missing = resolver.resolve("./nothing", (box.root / "ws").string());
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("Can't find 'action.yml'") != std::string::npos);
}
