#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "workflow/plan/triggers.hpp"

using namespace pipeline::workflow;
using plan::Event;
using plan::match_trigger;

namespace {

using Patterns = std::optional<std::vector<Located<std::string>>>;

Patterns list(std::vector<std::string> values) {
  std::vector<Located<std::string>> located;
  for (auto& value : values) {
    located.push_back({std::move(value), {}});
  }
  return located;
}

Trigger trigger(std::string event, EventFilters filters = {}) {
  Trigger t;
  t.event.value = std::move(event);
  t.filters = std::move(filters);
  return t;
}

Workflow workflow_with(std::vector<Trigger> triggers) {
  Workflow w;
  w.on = std::move(triggers);
  return w;
}

Event push(std::string ref, std::optional<std::vector<std::string>> files = std::nullopt) {
  Event e;
  e.name = "push";
  e.ref = std::move(ref);
  e.changed_files = std::move(files);
  return e;
}

Event pull_request(std::string action, std::string base,
                   std::optional<std::vector<std::string>> files = std::nullopt) {
  Event e;
  e.name = "pull_request";
  e.action = std::move(action);
  e.base_ref = std::move(base);
  e.ref = "refs/pull/1/merge";
  e.changed_files = std::move(files);
  return e;
}

struct Case {
  std::string title;
  EventFilters filters;
  Event event;
  bool runs;
  std::string reason;
};

void check_cases(const std::string& event_name, const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    INFO(c.title);
    const auto match = match_trigger(workflow_with({trigger(event_name, c.filters)}), c.event);
    CHECK(match.runs == c.runs);
    CHECK(match.reason == c.reason);
  }
}

}  // namespace

TEST_CASE("triggers: a workflow without the event's trigger does not run", "[triggers]") {
  const auto match = match_trigger(workflow_with({trigger("push")}), pull_request("opened", "main"));
  CHECK_FALSE(match.runs);
  CHECK(match.reason == "workflow has no 'pull_request' trigger");
}

TEST_CASE("triggers: push branch and tag filters", "[triggers]") {
  EventFilters branches_only;
  branches_only.branches = list({"main", "release/**"});
  EventFilters release_only;
  release_only.branches = list({"release/**"});
  EventFilters ignore_docs;
  ignore_docs.branches_ignore = list({"docs/*"});
  EventFilters tags_only;
  tags_only.tags = list({"v[0-9]+.*"});
  EventFilters both;
  both.branches = list({"main"});
  both.tags_ignore = list({"nightly*"});
  EventFilters negated;
  negated.branches = list({"releases/**", "!releases/**-alpha"});

  check_cases("push", {
      {"no filters, branch", {}, push("refs/heads/dev"), true,
       "push to branch 'dev' matches the workflow's 'push' trigger"},
      {"no filters, tag", {}, push("refs/tags/v1"), true,
       "push of tag 'v1' matches the workflow's 'push' trigger"},
      {"branch listed", branches_only, push("refs/heads/release/1.0"), true,
       "push to branch 'release/1.0' matches the workflow's 'push' trigger"},
      {"branch not listed", release_only, push("refs/heads/main"), false,
       "push to branch 'main' does not match branches: [release/**]"},
      {"bare branch name", release_only, push("main"), false,
       "push to branch 'main' does not match branches: [release/**]"},
      {"branches only: tags do not run", branches_only, push("refs/tags/v1.0"), false,
       "push of tag 'v1.0' does not run: the push trigger filters branches and lists no tags"},
      {"branches-ignore hit", ignore_docs, push("refs/heads/docs/x"), false,
       "push to branch 'docs/x' matches branches-ignore: [docs/*]"},
      {"branches-ignore miss", ignore_docs, push("refs/heads/docs/x/y"), true,
       "push to branch 'docs/x/y' matches the workflow's 'push' trigger"},
      {"branches-ignore only: tags do not run", ignore_docs, push("refs/tags/v1"), false,
       "push of tag 'v1' does not run: the push trigger filters branches and lists no tags"},
      {"tags only: branches do not run", tags_only, push("refs/heads/main"), false,
       "push to branch 'main' does not run: the push trigger filters tags and lists no branches"},
      {"tag listed", tags_only, push("refs/tags/v1.2"), true,
       "push of tag 'v1.2' matches the workflow's 'push' trigger"},
      {"tag not listed", tags_only, push("refs/tags/latest"), false,
       "push of tag 'latest' does not match tags: [v[0-9]+.*]"},
      {"both kinds: branch", both, push("refs/heads/main"), true,
       "push to branch 'main' matches the workflow's 'push' trigger"},
      {"both kinds: ignored tag", both, push("refs/tags/nightly-3"), false,
       "push of tag 'nightly-3' matches tags-ignore: [nightly*]"},
      {"both kinds: other tag", both, push("refs/tags/v3"), true,
       "push of tag 'v3' matches the workflow's 'push' trigger"},
      {"negated pattern", negated, push("refs/heads/releases/beta/3-alpha"), false,
       "push to branch 'releases/beta/3-alpha' does not match branches: [releases/**, !releases/**-alpha]"},
      {"negated pattern, other", negated, push("refs/heads/releases/10"), true,
       "push to branch 'releases/10' matches the workflow's 'push' trigger"},
  });
}

TEST_CASE("triggers: path filters", "[triggers]") {
  EventFilters sources;
  sources.paths = list({"src/**", "!src/**/*.md"});
  EventFilters ignore_docs;
  ignore_docs.paths_ignore = list({"docs/**", "**.md"});
  EventFilters branch_and_paths;
  branch_and_paths.branches = list({"main"});
  branch_and_paths.paths = list({"src/**"});

  check_cases("push", {
      {"a changed file matches paths", sources, push("refs/heads/main", {{"README.md", "src/a.cpp"}}), true,
       "push to branch 'main' matches the workflow's 'push' trigger"},
      {"only negated files", sources, push("refs/heads/main", {{"src/x/notes.md", "README.md"}}), false,
       "no changed file matches paths: [src/**, !src/**/*.md]"},
      {"no changed file", sources, push("refs/heads/main", {std::vector<std::string>{}}), false,
       "no changed file matches paths: [src/**, !src/**/*.md]"},
      {"unknown changed files skip the check", sources, push("refs/heads/main"), true,
       "push to branch 'main' matches the workflow's 'push' trigger"},
      {"tags ignore path filters", sources, push("refs/tags/v1", {{"README.md"}}), true,
       "push of tag 'v1' matches the workflow's 'push' trigger"},
      {"paths-ignore: all ignored", ignore_docs, push("refs/heads/main", {{"docs/a.txt", "README.md"}}), false,
       "every changed file matches paths-ignore: [docs/**, **.md]"},
      {"paths-ignore: one not ignored", ignore_docs, push("refs/heads/main", {{"docs/a.txt", "main.cpp"}}), true,
       "push to branch 'main' matches the workflow's 'push' trigger"},
      {"paths-ignore: nothing changed", ignore_docs, push("refs/heads/main", {std::vector<std::string>{}}), false,
       "no file changed, and the trigger has paths-ignore"},
      {"branch and paths: both must hold", branch_and_paths, push("refs/heads/dev", {{"src/a"}}), false,
       "push to branch 'dev' does not match branches: [main]"},
      {"branch and paths: paths fail", branch_and_paths, push("refs/heads/main", {{"doc/a"}}), false,
       "no changed file matches paths: [src/**]"},
  });
}

TEST_CASE("triggers: only the first 300 changed files are filtered", "[triggers]") {
  EventFilters workers;
  workers.paths = list({"workers/**"});
  std::vector<std::string> files;
  for (int i = 0; i < 300; ++i) {
    files.push_back("apps/file" + std::to_string(i));
  }
  files.push_back("workers/main.cpp");
  check_cases("push", {
      {"file 301 is not looked at", workers, push("refs/heads/main", files), false,
       "no changed file matches paths: [workers/**]"},
  });
  files.erase(files.begin());
  check_cases("push", {
      {"file 300 is", workers, push("refs/heads/main", files), true,
       "push to branch 'main' matches the workflow's 'push' trigger"},
  });
}

TEST_CASE("triggers: pull_request types and base branch", "[triggers]") {
  EventFilters into_main;
  into_main.branches = list({"main", "releases/**"});
  EventFilters closed_only;
  closed_only.types = list({"closed"});
  EventFilters not_into_wip;
  not_into_wip.branches_ignore = list({"wip/**"});
  not_into_wip.paths = list({"src/**"});

  check_cases("pull_request", {
      {"default type opened", {}, pull_request("opened", "main"), true,
       "pull_request (opened) matches the workflow's 'pull_request' trigger"},
      {"default type synchronize", {}, pull_request("synchronize", "main"), true,
       "pull_request (synchronize) matches the workflow's 'pull_request' trigger"},
      {"closed is not a default type", {}, pull_request("closed", "main"), false,
       "pull_request activity 'closed' is not one of the default types [opened, synchronize, reopened] "
       "(the trigger lists no types)"},
      {"listed type", closed_only, pull_request("closed", "main"), true,
       "pull_request (closed) matches the workflow's 'pull_request' trigger"},
      {"unlisted type", closed_only, pull_request("opened", "main"), false,
       "pull_request activity 'opened' is not in types: [closed]"},
      {"no action: types not checked", closed_only, pull_request("", "main"), true,
       "pull_request matches the workflow's 'pull_request' trigger"},
      {"base branch matches", into_main, pull_request("opened", "releases/2"), true,
       "pull_request (opened) matches the workflow's 'pull_request' trigger"},
      {"base branch as a ref", into_main, pull_request("opened", "refs/heads/dev"), false,
       "pull_request into branch 'dev' does not match branches: [main, releases/**]"},
      {"base branch ignored", not_into_wip, pull_request("opened", "wip/x", {{"src/a"}}), false,
       "pull_request into branch 'wip/x' matches branches-ignore: [wip/**]"},
      {"paths on pull requests", not_into_wip, pull_request("opened", "main", {{"doc/a"}}), false,
       "no changed file matches paths: [src/**]"},
  });
}

TEST_CASE("triggers: other events", "[triggers]") {
  EventFilters dispatch_types;
  dispatch_types.types = list({"deploy"});
  Event dispatch;
  dispatch.name = "repository_dispatch";
  dispatch.action = "test";
  check_cases("repository_dispatch", {
      {"repository_dispatch type", dispatch_types, dispatch, false,
       "repository_dispatch activity 'test' is not in types: [deploy]"},
  });

  EventFilters after_ci;
  after_ci.workflows = list({"CI"});
  after_ci.branches = list({"main"});
  Event run;
  run.name = "workflow_run";
  run.action = "completed";
  run.workflow_name = "Lint";
  Event run_ci = run;
  run_ci.workflow_name = "CI";
  run_ci.ref = "refs/heads/dev";
  check_cases("workflow_run", {
      {"other workflow", after_ci, run, false, "workflow_run of 'Lint' does not match workflows: [CI]"},
      {"branch filter", after_ci, run_ci, false,
       "workflow_run on branch 'dev' does not match branches: [main]"},
  });

  Event manual;
  manual.name = "workflow_dispatch";
  manual.ref = "refs/heads/anything";
  check_cases("workflow_dispatch", {
      {"workflow_dispatch ignores refs", {}, manual, true,
       "workflow_dispatch matches the workflow's 'workflow_dispatch' trigger"},
  });
}

TEST_CASE("triggers: select_default_event", "[triggers]") {
  CHECK(plan::select_default_event(workflow_with({trigger("pull_request"), trigger("push")})) == "push");
  CHECK(plan::select_default_event(workflow_with({trigger("schedule"), trigger("workflow_dispatch")})) ==
        "schedule");
  CHECK(plan::select_default_event(workflow_with({})).empty());
  CHECK(plan::default_activity_types("pull_request_target") ==
        std::vector<std::string>{"opened", "synchronize", "reopened"});
  CHECK(plan::default_activity_types("issues").empty());
}
