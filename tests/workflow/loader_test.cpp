#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "workflow/loader.hpp"

using namespace pipeline::workflow;

namespace {

Workflow load_ok(const std::string& text) {
  LoadResult loaded = load_workflow_text(text, "wf.yml");
  for (const auto& d : loaded.diagnostics) {
    UNSCOPED_INFO(format_diagnostic(d, text));
  }
  REQUIRE(loaded.diagnostics.empty());
  REQUIRE(loaded.workflow.has_value());
  return std::move(*loaded.workflow);
}

std::vector<std::string> messages(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& d : load_workflow_text(text, "wf.yml").diagnostics) {
    out.push_back(d.message + (d.hint.empty() ? "" : " | " + d.hint));
  }
  return out;
}

std::vector<std::string> values(const std::vector<Located<std::string>>& list) {
  std::vector<std::string> out;
  for (const auto& item : list) {
    out.push_back(item.value);
  }
  return out;
}

const char* const k_jobs = "jobs:\n  j:\n    runs-on: x\n    steps:\n      - run: a\n";

}  // namespace

TEST_CASE("'on' accepts a string, a list and a mapping", "[loader]") {
  CHECK(load_ok(std::string("on: push\n") + k_jobs).on.at(0).event.value == "push");
  const Workflow list = load_ok(std::string("on: [push, pull_request]\n") + k_jobs);
  REQUIRE(list.on.size() == 2);
  CHECK(list.on[1].event.value == "pull_request");
  const Workflow map = load_ok(std::string("on:\n  push:\n    branches: main\n    paths-ignore: ['docs/**']\n"
                                           "  pull_request:\n    types: [opened]\n") + k_jobs);
  REQUIRE(map.on.size() == 2);
  CHECK(values(*map.on[0].filters.branches) == std::vector<std::string>{"main"});
  CHECK(values(*map.on[0].filters.paths_ignore) == std::vector<std::string>{"docs/**"});
  CHECK_FALSE(map.on[0].filters.tags.has_value());
  CHECK(values(*map.on[1].filters.types) == std::vector<std::string>{"opened"});
}

TEST_CASE("an empty filter list is kept apart from an absent one", "[loader]") {
  const Workflow wf = load_ok(std::string("on:\n  push:\n    branches: []\n") + k_jobs);
  REQUIRE(wf.on[0].filters.branches.has_value());
  CHECK(wf.on[0].filters.branches->empty());
}

TEST_CASE("dispatch and call inputs, secrets, outputs and schedules are read", "[loader]") {
  const Workflow wf = load_ok(std::string(
                                  "on:\n"
                                  "  schedule:\n    - cron: '0 1 * * *'\n"
                                  "  workflow_dispatch:\n    inputs:\n"
                                  "      level:\n        type: choice\n        options: [a, b]\n        default: b\n"
                                  "        required: true\n        description: Level\n"
                                  "      plain:\n"
                                  "  workflow_call:\n    inputs:\n      n:\n        type: number\n        default: 3\n"
                                  "    secrets:\n      token:\n        required: true\n"
                                  "    outputs:\n      v:\n        value: ${{ jobs.j.outputs.v }}\n") +
                              k_jobs);
  REQUIRE(wf.on.size() == 3);
  CHECK(wf.on[0].crons.at(0).value == "0 1 * * *");
  const InputSpec& level = wf.on[1].inputs.at(0);
  CHECK(level.type == "choice");
  CHECK(level.options == std::vector<std::string>{"a", "b"});
  CHECK(level.required);
  CHECK(level.description == "Level");
  CHECK(level.default_value->scalar == "b");
  CHECK(wf.on[1].inputs.at(1).type == "string");
  CHECK(wf.on[2].inputs.at(0).default_value->kind == Node::Kind::number);
  CHECK(wf.on[2].secrets.at(0).required);
  CHECK(wf.on[2].outputs.at(0).value->scalar == "${{ jobs.j.outputs.v }}");
}

TEST_CASE("job keys are read into the model", "[loader]") {
  const Workflow wf = load_ok(
      "on: push\n"
      "jobs:\n"
      "  build:\n"
      "    name: Build\n"
      "    needs: setup\n"
      "    if: github.ref == 'refs/heads/main'\n"
      "    runs-on: [self-hosted, linux]\n"
      "    timeout-minutes: 10\n"
      "    continue-on-error: true\n"
      "    env: {A: 1}\n"
      "    defaults:\n      run:\n        shell: sh\n        working-directory: src\n"
      "    strategy:\n      fail-fast: false\n      matrix:\n        os: [a, b]\n"
      "    container:\n      image: alpine\n      ports: [80]\n      options: --rm\n"
      "    services:\n      db: postgres\n      cache:\n        image: redis\n"
      "    steps:\n"
      "      - id: s\n        name: Step\n        run: make\n        shell: bash\n        working-directory: x\n"
      "        env: {B: 2}\n        continue-on-error: false\n        timeout-minutes: 1\n        if: always()\n"
      "      - uses: actions/checkout@v4\n        with: {fetch-depth: 0}\n"
      "  setup:\n    runs-on: x\n    steps: [{run: a}]\n"
      "  call:\n    uses: o/r/.github/workflows/w.yml@v1\n    secrets: inherit\n    with: {a: 1}\n");
  REQUIRE(wf.jobs.size() == 3);
  const Job& build = wf.jobs[0];
  CHECK(build.name->value == "Build");
  CHECK(values(build.needs) == std::vector<std::string>{"setup"});
  CHECK(build.if_condition->value == "github.ref == 'refs/heads/main'");
  CHECK(build.runs_on->items.size() == 2);
  CHECK(build.timeout_minutes->scalar == "10");
  CHECK(build.continue_on_error->kind == Node::Kind::boolean);
  CHECK(build.defaults.shell->value == "sh");
  CHECK(build.defaults.working_directory->value == "src");
  CHECK(build.strategy->fail_fast->scalar == "false");
  CHECK(build.strategy->matrix.find("os")->items.size() == 2);
  CHECK(build.container->image.scalar == "alpine");
  CHECK(values(build.container->ports) == std::vector<std::string>{"80"});
  CHECK(build.container->options->value == "--rm");
  REQUIRE(build.services.size() == 2);
  CHECK(build.services[0].first == "db");
  CHECK(build.services[0].second.image.scalar == "postgres");
  CHECK(build.services[1].second.image.scalar == "redis");
  REQUIRE(build.steps.size() == 2);
  const Step& step = build.steps[0];
  CHECK(step.id->value == "s");
  CHECK(step.shell->value == "bash");
  CHECK(step.working_directory->value == "x");
  CHECK(step.env->find("B")->scalar == "2");
  CHECK(step.timeout_minutes->scalar == "1");
  CHECK(build.steps[1].index == 1);
  CHECK(build.steps[1].uses->value == "actions/checkout@v4");
  CHECK(build.steps[1].with->find("fetch-depth")->scalar == "0");
  const Job& call = wf.jobs[2];
  CHECK(call.uses->value == "o/r/.github/workflows/w.yml@v1");
  CHECK(call.secrets_inherit);
  CHECK(call.with->find("a") != nullptr);
}

TEST_CASE("workflow-level keys are read", "[loader]") {
  const Workflow wf = load_ok(std::string(
                                  "name: CI\nrun-name: Run ${{ github.actor }}\non: push\n"
                                  "permissions: {contents: read}\nenv: {A: b}\n"
                                  "defaults: {run: {shell: bash}}\n"
                                  "concurrency: {group: g, cancel-in-progress: true}\n") +
                              k_jobs);
  CHECK(wf.display_name() == "CI");
  CHECK(wf.run_name->value == "Run ${{ github.actor }}");
  CHECK(wf.permissions->find("contents")->scalar == "read");
  CHECK(wf.env->find("A")->scalar == "b");
  CHECK(wf.defaults.shell->value == "bash");
  CHECK(wf.concurrency->group.scalar == "g");
  CHECK(wf.concurrency->cancel_in_progress->scalar == "true");
  CHECK(load_ok(std::string("on: push\nconcurrency: solo\n") + k_jobs).concurrency->group.scalar == "solo");
  CHECK(load_ok(std::string("on: push\n") + k_jobs).display_name() == "wf.yml");
}

TEST_CASE("every structural problem is reported, not only the first", "[loader]") {
  const auto found = messages(
      "on: push\nfoo: 1\njobs:\n  a:\n    runs_on: x\n    steps:\n      - run: a\n        wiht: {}\n"
      "  b:\n    runs-on: x\n    steps: {run: a}\n");
  CHECK(found == std::vector<std::string>{
                     "unknown key 'foo' in the workflow | expected one of: name, run-name, description, on, permissions, env, "
                     "defaults, concurrency, jobs",
                     "unknown key 'runs_on' in job 'a' | did you mean 'runs-on'?",
                     "unknown key 'wiht' in step 1 of job 'a' | did you mean 'with'?",
                     "'steps' of job 'b' must be a list, not a mapping",
                 });
}

TEST_CASE("unusable documents give no workflow", "[loader]") {
  CHECK_FALSE(load_workflow_text("", "wf.yml").workflow.has_value());
  CHECK_FALSE(load_workflow_text("[1, 2]", "wf.yml").workflow.has_value());
  CHECK_FALSE(load_workflow_text("a: [", "wf.yml").workflow.has_value());
  CHECK(messages("- a\n") == std::vector<std::string>{"a workflow must be a mapping, not a sequence"});
}

TEST_CASE("action manifests of every kind load", "[loader][action]") {
  const std::string dir = std::string(PIPE_FIXTURES_DIR) + "/valid/";
  const ActionLoadResult composite = load_action_manifest_file(dir + "action-composite.yml");
  REQUIRE(composite.diagnostics.empty());
  const ActionManifest& c = *composite.manifest;
  CHECK(c.name == "Composite action");
  CHECK(c.author == "pipe");
  CHECK(c.runs.using_.value == "composite");
  REQUIRE(c.runs.steps.size() == 2);
  CHECK(c.inputs.at(0).required);
  CHECK(c.inputs.at(0).default_value->scalar == "all");
  CHECK(c.inputs.at(1).deprecation_message == "Use 'target' instead");
  CHECK(c.outputs.at(0).value->scalar == "${{ steps.build.outputs.result }}");
  CHECK(c.branding->find("icon")->scalar == "box");

  const ActionLoadResult node = load_action_manifest_file(dir + "action-node.yml");
  REQUIRE(node.diagnostics.empty());
  CHECK(node.manifest->runs.main->value == "dist/index.js");
  CHECK(node.manifest->runs.post_if->value == "always()");

  const ActionLoadResult docker = load_action_manifest_file(dir + "action-docker.yml");
  REQUIRE(docker.diagnostics.empty());
  CHECK(docker.manifest->runs.image->value == "Dockerfile");
  CHECK(docker.manifest->runs.args->items.size() == 2);
  CHECK(docker.manifest->runs.post_entrypoint->value == "/post.sh");
}

TEST_CASE("action manifest problems are diagnostics", "[loader][action]") {
  const auto errors = [](const std::string& text) {
    std::vector<std::string> out;
    for (const auto& d : load_action_manifest_text(text, "action.yml").diagnostics) {
      out.push_back(d.message);
    }
    return out;
  };
  CHECK(errors("name: x\n") == std::vector<std::string>{"the action manifest has no 'runs' key"});
  CHECK(errors("runs:\n  using: node21\n  main: a.js\n") == std::vector<std::string>{"unknown 'using: node21'"});
  CHECK(errors("runs:\n  using: composite\n") == std::vector<std::string>{"a composite action needs 'steps'"});
  CHECK(errors("runs:\n  using: docker\n") == std::vector<std::string>{"a Docker action needs an 'image'"});
  CHECK(errors("runs:\n  using: node20\n") == std::vector<std::string>{"a JavaScript action needs 'main'"});
}

TEST_CASE("an action directory resolves action.yml or action.yaml", "[loader][action]") {
  const auto dir = std::filesystem::temp_directory_path() / "pipe-loader-action-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "action.yaml") << "runs:\n  using: node20\n  main: x.js\n";
  const ActionLoadResult loaded = load_action_manifest_file(dir);
  CHECK(loaded.diagnostics.empty());
  CHECK(loaded.manifest->path.ends_with("action.yaml"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("find_workflow_files lists yml and yaml files sorted", "[loader]") {
  const auto dir = std::filesystem::temp_directory_path() / "pipe-loader-find-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "sub.yml");
  for (const char* name : {"b.yaml", "a.yml", "c.txt", "README.md"}) {
    std::ofstream(dir / name) << "x: 1\n";
  }
  const auto files = find_workflow_files(dir);
  REQUIRE(files.size() == 2);
  CHECK(files[0].filename() == "a.yml");
  CHECK(files[1].filename() == "b.yaml");
  std::filesystem::remove_all(dir);
}

TEST_CASE("load_all reports missing paths and keeps only valid workflows", "[loader]") {
  const std::filesystem::path fixtures = PIPE_FIXTURES_DIR;
  const LoadedSet set = load_all({"valid/full-syntax.yml", "errors/missing-steps.yml", "nope.yml"}, fixtures);
  CHECK(set.files == 3);
  REQUIRE(set.workflows.size() == 1);
  CHECK(set.workflows[0].path == "valid/full-syntax.yml");
  REQUIRE(set.diagnostics.size() == 2);
  CHECK(set.diagnostics[0].where.file == "errors/missing-steps.yml");
  CHECK(set.diagnostics[1].message == "cannot read file: No such file or directory");
  CHECK(summary_line(set) == "3 files checked: 2 errors in 2 files");
}

TEST_CASE("run steps of a composite action need a shell", "[loader][action]") {
  const ActionLoadResult loaded =
      load_action_manifest_text("runs:\n  using: composite\n  steps:\n    - run: make\n", "action.yml");
  REQUIRE(loaded.diagnostics.size() == 1);
  CHECK(loaded.diagnostics[0].message == "step 1 of the composite action runs a script but has no 'shell'");
  CHECK(loaded.diagnostics[0].where.line == 4);
}

TEST_CASE("a composite action reaches its siblings through '$/', without a version", "[loader][action]") {
  const ActionLoadResult good = load_action_manifest_text(
      "runs:\n  using: composite\n  steps:\n    - uses: $/lib/helper\n", "action.yml");
  CHECK(good.diagnostics.empty());
  const ActionLoadResult pinned = load_action_manifest_text(
      "runs:\n  using: composite\n  steps:\n    - uses: $/lib/helper@v1\n", "action.yml");
  REQUIRE(pinned.diagnostics.size() == 1);
  CHECK(pinned.diagnostics[0].message == "'uses: $/lib/helper@v1' in step 1 of the composite action has a version");
  CHECK(pinned.diagnostics[0].where.line == 4);
  CHECK(pinned.diagnostics[0].where.column == 13);
}

TEST_CASE("the newer schema keys are read: description, image_version, snapshot, cancel-timeout-minutes",
          "[loader]") {
  const std::string path = std::string(PIPE_FIXTURES_DIR) + "/valid/newer-schema.yml";
  const LoadResult loaded = load_workflow_file(path);
  for (const auto& d : loaded.diagnostics) {
    UNSCOPED_INFO(d.message);
  }
  REQUIRE(loaded.diagnostics.empty());
  const Workflow& wf = *loaded.workflow;
  CHECK(wf.description->value == "Builds the runner image and attests what it published");
  const Trigger* image = wf.find_trigger("image_version");
  REQUIRE(image != nullptr);
  CHECK(values(*image->filters.names) == std::vector<std::string>{"ubuntu-custom"});
  CHECK(values(*image->filters.versions) == std::vector<std::string>{"1.*"});
  CHECK(wf.permissions->find("artifact-metadata")->scalar == "write");
  const Job& job = *wf.find_job("image");
  CHECK(job.cancel_timeout_minutes->scalar == "2");
  CHECK(job.snapshot->find("image-name")->scalar == "ubuntu-custom");
  CHECK(wf.find_job("short-snapshot")->snapshot->scalar == "ubuntu-custom");
}

TEST_CASE("a snapshot mapping needs image-name and takes only its own keys", "[loader]") {
  CHECK(messages("on: push\njobs:\n  j:\n    runs-on: x\n    snapshot: {version: '1.*', size: 3}\n"
                 "    steps:\n      - run: a\n") ==
        std::vector<std::string>{"unknown key 'size' in 'snapshot' | expected one of: image-name, if, version",
                                 "'snapshot' needs 'image-name' | the name of the custom image to create or update"});
}
