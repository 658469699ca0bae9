#include <catch2/catch.hpp>

#include "support/workflow_problems.hpp"
#include "workflow/loader.hpp"
#include "workflow/validate.hpp"

using namespace pipeline::workflow;
using pipeline::test::workflow_problems;

namespace {

std::string job(const std::string& body) {
  return "on: push\njobs:\n  build:\n    runs-on: x\n" + body;
}

/// The problems of `workflow`; it and each problem are shown with the next assertion.
std::vector<std::string> shown_problems(const std::string& workflow) {
  UNSCOPED_INFO(workflow);
  auto found = workflow_problems(workflow);
  for (const auto& message : found) {
    UNSCOPED_INFO("found: " << message);
  }
  return found;
}

}  // namespace

TEST_CASE("validation finds each kind of problem", "[validate]") {
  struct Row {
    std::string workflow;
    std::string expected;
  };
  const Row rows[] = {
      {"on: push\njobs:\n  build:\n    steps: [{run: a}]\n",
       "job 'build' has no 'runs-on' | add for example 'runs-on: ubuntu-latest', or 'uses:' to call a reusable workflow"},
      {job(""), "job 'build' has no steps"},
      {"on: push\njobs: {}\n", "the workflow has no jobs | add a 'jobs:' mapping with at least one job"},
      {job("    steps: [{run: a, uses: b@v1}]\n"),
       "step 1 of job 'build' has both 'run' and 'uses' | a step either runs a script or uses an action; split it "
       "into two steps"},
      {job("    steps: [{name: a}]\n"), "step 1 of job 'build' has neither 'run' nor 'uses'"},
      {job("    needs: build\n    steps: [{run: a}]\n"), "job 'build' needs itself"},
      {job("    needs: buidl\n    steps: [{run: a}]\n"), "job 'build' needs unknown job 'buidl'"},
      {job("    needs: [tst]\n    steps: [{run: a}]\n  test:\n    runs-on: x\n    steps: [{run: a}]\n"),
       "job 'build' needs unknown job 'tst' | did you mean 'test'?"},
      {job("    needs: [t, t]\n    steps: [{run: a}]\n  t:\n    runs-on: x\n    steps: [{run: a}]\n"),
       "job 'build' lists 't' twice in 'needs'"},
      {job("    steps: [{id: a, run: x}, {id: a, run: y}]\n"),
       "step id 'a' is already used in job 'build' | the first one is on line 5"},
      {job("    steps: [{id: 9a, run: x}]\n"),
       "invalid step id '9a' | ids start with a letter or '_' and contain only letters, digits, '-' and '_'"},
      {"on: push\njobs:\n  a.b:\n    runs-on: x\n    steps: [{run: a}]\n",
       "invalid job id 'a.b' | ids start with a letter or '_' and contain only letters, digits, '-' and '_'"},
      {job("    steps: [{run: a, shell: zsh}]\n"), "invalid shell 'zsh' | did you mean 'sh'?"},
      {job("    steps: [{run: a, timeout-minutes: soon}]\n"),
       "'timeout-minutes' must be a number or an expression, not 'soon'"},
      {job("    timeout-minutes: '10'\n    steps: [{run: a}]\n"),
       "'timeout-minutes' must be a number or an expression, not '10'"},
      {job("    steps: [{uses: actions/checkout}]\n"),
       "'uses: actions/checkout' in step 1 of job 'build' has no version | add a tag, branch or commit, e.g. "
       "'actions/checkout@v4'"},
      {job("    steps: [{uses: checkout@v4}]\n"),
       "'uses: checkout@v4' is not of the form 'owner/repo@ref', './path', '$/path' or 'docker://image'"},
      {job("    steps: [{uses: a/b@v1, shell: bash}]\n"), "'shell' in step 1 of job 'build' only applies to 'run' steps"},
      {"on: pushh\njobs:\n  j:\n    runs-on: x\n    steps: [{run: a}]\n", "unknown event 'pushh' | did you mean 'push'?"},
      {"on:\n  schedule:\n    - cron: ''\njobs:\n  j:\n    runs-on: x\n    steps: [{run: a}]\n",
       "invalid cron '': empty cron expression | five fields: minute hour day-of-month month day-of-week, e.g. "
       "'30 5 * * 1'"},
      {"on:\n  push:\n    paths: ['']\njobs:\n  j:\n    runs-on: x\n    steps: [{run: a}]\n",
       "invalid pattern '' in 'paths': empty pattern"},
      {"on: push\ndefaults: {run: {shell: fish}}\njobs:\n  j:\n    runs-on: x\n    steps: [{run: a}]\n",
       "invalid shell 'fish' | use bash, sh, pwsh, python, cmd, powershell, or a command with '{0}' for the script "
       "path"},
      {"on: push\njobs:\n  j:\n    uses: o/r/.github/workflows/x.yml@v1\n    timeout-minutes: 5\n",
       "job 'j' calls a reusable workflow, so it cannot have 'timeout-minutes' | a job with 'uses' takes only name, "
       "uses, with, secrets, needs, if, permissions, concurrency and strategy"},
      {job("    secrets: inherit\n    steps: [{run: a}]\n"),
       "'secrets' of job 'build' needs 'uses' (a reusable workflow call)"},
      {job("    secrets: inherited\n    steps: [{run: a}]\n"),
       "'secrets' of a job must be 'inherit' or a mapping, not a string | did you mean 'secrets: inherit'?"},
  };
  for (const auto& row : rows) {
    const auto found = shown_problems(row.workflow);
    CHECK(std::find(found.begin(), found.end(), row.expected) != found.end());
  }
}

namespace {

std::string with_on(const std::string& on) {
  return "on:\n" + on + "jobs:\n  j:\n    runs-on: x\n    steps: [{run: a}]\n";
}

std::string calling(const std::string& uses) {
  return "on: push\njobs:\n  j:\n    uses: " + uses + "\n";
}

}  // namespace

TEST_CASE("triggers: activity types, time zones and input types as GitHub checks them", "[validate]") {
  const std::pair<std::string, std::string> rows[] = {
      {with_on("  issue_comment:\n    types: [opened]\n"),
       "unknown activity type 'opened' for event 'issue_comment' | use one of: created, edited, deleted"},
      {with_on("  pull_request:\n    types: [opened, synchronise]\n"),
       "unknown activity type 'synchronise' for event 'pull_request' | did you mean 'synchronize'?"},
      {with_on("  workflow_run:\n    workflows: [ci]\n    types: completed\n  check_suite:\n    types: [done]\n"),
       "unknown activity type 'done' for event 'check_suite' | use one of: completed"},
      {with_on("  create:\n    types: [branch]\n"), "event 'create' has no activity types | remove 'types'"},
      {with_on("  schedule:\n    - cron: '0 1 * * *'\n      timezone: Europe/Berln\n"),
       "invalid timezone 'Europe/Berln': unknown time zone | did you mean 'Europe/Berlin'?"},
      {with_on("  schedule:\n    - cron: '0 1 * * *'\n      timezone: ../../etc/passwd\n"),
       "invalid timezone '../../etc/passwd': not an IANA time zone name such as 'Europe/Berlin' or 'UTC' | use an "
       "IANA name such as 'Europe/Berlin', 'America/New_York' or 'UTC'"},
      {with_on("  workflow_call:\n    inputs:\n      level: {required: true}\n"),
       "input 'level' of 'workflow_call' has no 'type' | add 'type: string', 'type: boolean' or 'type: number'"},
      {with_on("  workflow_call:\n    inputs:\n      level:\n"),
       "input 'level' of 'workflow_call' has no 'type' | add 'type: string', 'type: boolean' or 'type: number'"},
      {with_on("  workflow_call:\n    inputs:\n      debug: {type: boolean, default: 'yes'}\n"),
       "default of boolean input 'debug' must be true or false, not 'yes'"},
      {with_on("  workflow_call:\n    inputs:\n      debug: {type: boolean, default: 'true'}\n"),
       "default of boolean input 'debug' must be true or false, not 'true'"},
      {with_on("  workflow_dispatch:\n    inputs:\n      debug: {type: boolean, default: 1}\n"),
       "default of boolean input 'debug' must be true or false, not '1'"},
      {with_on("  workflow_dispatch:\n    inputs:\n      n: {type: number, default: many}\n"),
       "default of number input 'n' must be a number, not 'many'"},
      {with_on("  workflow_call:\n    inputs:\n      n: {type: number, default: [1]}\n"),
       "default of number input 'n' must be a string, a number or a boolean, not a list or mapping"},
      {with_on("  push:\nconcurrency: {group: g, queue: all}\n"),
       "'queue' of 'concurrency' must be 'single' or 'max', not 'all'"},
      {with_on("  push:\npermissions: {vulnerability-alerts: write}\n"),
       "permission 'vulnerability-alerts' must be 'read' or 'none'"},
  };
  for (const auto& [workflow, expected] : rows) {
    const auto found = shown_problems(workflow);
    CHECK(std::find(found.begin(), found.end(), expected) != found.end());
  }
}

TEST_CASE("reusable workflow and action references take GitHub's forms", "[validate]") {
  const std::string hint =
      " | use './.github/workflows/NAME.yml', '$/.github/workflows/NAME.yml' or "
      "'OWNER/REPO/.github/workflows/NAME.yml@REF'";
  const std::pair<std::string, std::string> rows[] = {
      {calling("./ci/build.yml"), "'uses: ./ci/build.yml' of job 'j' is not a reusable workflow" + hint},
      {calling("./.github/workflows/sub/build.yml"),
       "'uses: ./.github/workflows/sub/build.yml' of job 'j' is not a reusable workflow" + hint},
      {calling("./.github/workflows/build.yml@v1"),
       "'uses: ./.github/workflows/build.yml@v1' of job 'j' is not a reusable workflow" + hint},
      {calling("$/.github/workflows/build.json"),
       "'uses: $/.github/workflows/build.json' of job 'j' is not a reusable workflow" + hint},
      {calling("octo/repo@v1"), "'uses: octo/repo@v1' of job 'j' is not a reusable workflow" + hint},
      {calling("octo/repo/build.yml@v1"), "'uses: octo/repo/build.yml@v1' of job 'j' is not a reusable workflow" + hint},
      {calling("octo/repo/.github/workflows/build.yml"),
       "'uses: octo/repo/.github/workflows/build.yml' of job 'j' has no version | add a tag, branch or commit, e.g. "
       "'octo/repo/.github/workflows/build.yml@main'"},
      {job("    steps: [{uses: $/.github/actions/x@v1}]\n"),
       "'uses: $/.github/actions/x@v1' in step 1 of job 'build' has a version | '$/' names the workflow's own "
       "repository at the revision that runs; remove '@v1'"},
  };
  for (const auto& [workflow, expected] : rows) {
    const auto found = shown_problems(workflow);
    CHECK(std::find(found.begin(), found.end(), expected) != found.end());
  }
}

TEST_CASE("newer syntax GitHub accepts validates cleanly", "[validate]") {
  const std::string accepted[] = {
      job("    steps:\n      - uses: $/.github/actions/setup\n      - uses: $/\n"),
      calling("$/.github/workflows/build.yml"),
      calling("./.github/workflows/build.yaml"),
      calling("octo/repo/.github/workflows/build.yml@0123456789abcdef0123456789abcdef01234567"),
      with_on("  schedule:\n    - cron: '0 1 * * *'\n      timezone: America/New_York\n    - cron: '0 2 * * *'\n"),
      with_on("  issue_comment:\n    types: [created, edited]\n  repository_dispatch:\n    types: [anything-goes]\n"
              "  issues:\n    types: opened\n"),
      with_on("  workflow_call:\n    inputs:\n      a: {type: boolean, default: true}\n"
              "      b: {type: number, default: 3}\n      c: {type: string, default: 3}\n"
              "      d: {type: boolean, default: '${{ github.event_name == ''push'' }}'}\n"),
      with_on("  workflow_dispatch:\n    inputs:\n      a: {type: boolean, default: 'false'}\n"
              "      b: {type: number, default: '2.5'}\n      c: {default: x}\n"),
      with_on("  push:\nconcurrency: {group: g, queue: max}\npermissions: {copilot-requests: write, "
              "vulnerability-alerts: read, models: read}\n"),
      job("    steps: [{run: a, shell: Bash}, {run: b, shell: PowerShell}]\n"),
  };
  for (const auto& workflow : accepted) {
    const auto found = shown_problems(workflow);
    CHECK(found.empty());
  }
}

TEST_CASE("a cycle is named once, in order", "[validate]") {
  const auto found = workflow_problems(
      "on: push\njobs:\n"
      "  a: {needs: b, runs-on: x, steps: [{run: a}]}\n"
      "  b: {needs: c, runs-on: x, steps: [{run: a}]}\n"
      "  c: {needs: a, runs-on: x, steps: [{run: a}]}\n"
      "  d: {needs: a, runs-on: x, steps: [{run: a}]}\n");
  CHECK(found == std::vector<std::string>{
                     "'needs' forms a cycle: a -> b -> c -> a | a job cannot wait, directly or not, for itself"});
}

TEST_CASE("valid shells", "[validate]") {
  for (const char* shell : {"bash", "sh", "pwsh", "python", "cmd", "powershell", "perl {0}", "bash -e {0}", "Bash",
                            "PowerShell", "SH", "Python"}) {
    CHECK(is_valid_shell(shell));
  }
  for (const char* shell : {"zsh", "perl", "", "Bashh"}) {
    CHECK_FALSE(is_valid_shell(shell));
  }
}

TEST_CASE("a shell written as an expression is left for the run to check", "[validate]") {
  // The job's contexts reach `defaults.run.shell` at both levels: it is evaluated for each job.
  // Only the job's is an expression on GitHub too; the other two are evaluated with a warning.
  const std::string hint = " | to keep the workflow valid on GitHub, put it in the job's 'defaults.run.shell'";
  CHECK(workflow_problems("on: push\ndefaults: {run: {shell: '${{ env.S }}'}}\njobs:\n  j:\n    runs-on: x\n"
                 "    strategy: {matrix: {s: [bash]}}\n    defaults: {run: {shell: '${{ matrix.s }}'}}\n"
                 "    steps: [{run: a, shell: '${{ matrix.s }}'}]\n") ==
        std::vector<std::string>{
            "GitHub refuses an expression in the workflow's 'defaults.run.shell' (pipe evaluates it)" + hint,
            "GitHub refuses an expression in a step's 'shell' (pipe evaluates it)" + hint});
  CHECK(workflow_problems("on: push\njobs:\n  j:\n    runs-on: x\n    defaults: {run: {shell: '${{ secrets.S }}'}}\n"
                 "    steps: [{run: a}]\n") ==
        std::vector<std::string>{"Unrecognized named-value: 'secrets'. Located at position 1 within expression: "
                                 "secrets.S | 'secrets' is not available here; available contexts: github, env, "
                                 "vars, strategy, matrix, needs, inputs"});
}

TEST_CASE("matrix keys may be expressions and ${{ insert }}", "[validate]") {
  CHECK(workflow_problems(job("    strategy:\n      matrix:\n        ${{ github.ref }}: [a]\n"
                     "        ${{ insert }}: {b: [1], c: [2]}\n    steps: [{run: a}]\n"))
            .empty());
  CHECK(workflow_problems(job("    strategy:\n      matrix:\n        ${{ steps.x }}: [a]\n    steps: [{run: a}]\n")) ==
        std::vector<std::string>{"Unrecognized named-value: 'steps'. Located at position 1 within expression: "
                                 "steps.x | 'steps' is not available here; available contexts: github, vars, "
                                 "needs, inputs"});
}

TEST_CASE("ids follow GitHub's pattern", "[validate]") {
  for (const char* id : {"a", "_a", "build-1", "A_b-C"}) {
    CHECK(is_valid_id(id));
  }
  for (const char* id : {"", "1a", "-a", "a.b", "a b"}) {
    CHECK_FALSE(is_valid_id(id));
  }
}

TEST_CASE("diagnostics come in source order", "[validate]") {
  LoadResult loaded = load_workflow_text(
      "on: push\njobs:\n  b:\n    needs: zz\n    runs-on: x\n    steps: [{run: a, shell: q}]\n", "wf.yml");
  REQUIRE(loaded.workflow.has_value());
  const auto found = validate(*loaded.workflow);
  REQUIRE(found.size() == 2);
  CHECK(found[0].where.line == 4);
  CHECK(found[1].where.line == 6);
}

TEST_CASE("long needs chains and many unknown needs stay fast and stack-safe", "[validate]") {
  Workflow wf;
  wf.path = "big.yml";
  const std::size_t count = 50000;
  for (std::size_t i = 0; i < count; ++i) {
    Job job;
    job.id.value = "j" + std::to_string(i);
    job.needs.push_back({"j" + std::to_string((i + 1) % count), {}});
    job.needs.push_back({"missing" + std::to_string(i), {}});
    job.runs_on = Node{Node::Kind::string, "x", {}, {}, {}};
    Step step;
    step.run = Located<std::string>{"true", {}};
    job.steps.push_back(step);
    wf.jobs.push_back(std::move(job));
  }
  const auto found = validate(wf);
  const auto cycles = std::count_if(found.begin(), found.end(), [](const Diagnostic& d) {
    return d.message.starts_with("'needs' forms a cycle: j0 -> j1 -> ");
  });
  CHECK(cycles == 1);
  CHECK(found.size() == count + 1);  // every unknown need, and the cycle once
}
