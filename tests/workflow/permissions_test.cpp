#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "workflow/loader.hpp"
#include "workflow/permissions.hpp"

using namespace pipeline::workflow;

namespace {

/// The workflow-level `permissions` of `yaml` (a whole workflow), as TokenPermissions.
std::optional<TokenPermissions> permissions_of(const std::string& value) {
  auto loaded = load_workflow_text("permissions: " + value + "\non: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
                                   "      - run: a\n",
                                   "w.yml");
  REQUIRE(loaded.workflow);
  REQUIRE(loaded.workflow->permissions);
  return token_permissions(*loaded.workflow->permissions);
}

Workflow parse(const std::string& text, const std::string& path) {
  auto loaded = load_workflow_text(text, path);
  INFO(text);
  REQUIRE(loaded.workflow);
  REQUIRE_FALSE(has_errors(loaded.diagnostics));
  return *loaded.workflow;
}

}  // namespace

TEST_CASE("token_permissions reads shorthands and mappings", "[permissions]") {
  struct Row {
    std::string value;
    std::string scope;
    PermissionLevel level;
  };
  const std::vector<Row> rows{
      {"read-all", "contents", PermissionLevel::read},
      {"read-all", "id-token", PermissionLevel::read},
      {"write-all", "packages", PermissionLevel::write},
      {"write-all", "models", PermissionLevel::read},  // models is never more than read
      {"{}", "contents", PermissionLevel::none},
      {"{contents: write}", "contents", PermissionLevel::write},
      {"{contents: write}", "issues", PermissionLevel::none},  // unwritten scopes are none
      {"{id-token: write, contents: none}", "id-token", PermissionLevel::write},
      {"{pull-requests: read}", "pull-requests", PermissionLevel::read},
  };
  for (const auto& row : rows) {
    INFO(row.value << " " << row.scope);
    const auto permissions = permissions_of(row.value);
    REQUIRE(permissions);
    CHECK(permissions->level(row.scope) == row.level);
  }
  CHECK_FALSE(permissions_of("${{ inputs.permissions }}"));
  CHECK(default_token_permissions().level("contents") == PermissionLevel::write);
  CHECK(default_token_permissions().level("models") == PermissionLevel::read);
}

TEST_CASE("caller_permissions: the job's, else the workflow's, else inherited", "[permissions]") {
  const auto with_both = parse("on: push\npermissions: read-all\njobs:\n  call:\n    permissions:\n      contents: write\n"
                               "    uses: ./x.yml\n  other:\n    uses: ./x.yml\n",
                               "caller.yml");
  const auto from_job = caller_permissions(with_both, with_both.jobs[0], default_token_permissions());
  REQUIRE(from_job);
  CHECK(from_job->level("contents") == PermissionLevel::write);
  CHECK(from_job->level("issues") == PermissionLevel::none);
  const auto from_workflow = caller_permissions(with_both, with_both.jobs[1], default_token_permissions());
  REQUIRE(from_workflow);
  CHECK(from_workflow->level("issues") == PermissionLevel::read);
  const auto plain = parse("on: push\njobs:\n  call:\n    uses: ./x.yml\n", "plain.yml");
  TokenPermissions inherited;
  inherited.set("checks", PermissionLevel::read);
  const auto passed_on = caller_permissions(plain, plain.jobs[0], inherited);
  REQUIRE(passed_on);
  CHECK(passed_on->levels == inherited.levels);
}

TEST_CASE("check_called_permissions: a called workflow may only keep or reduce", "[permissions]") {
  struct Row {
    std::string allowed;  // the caller's permissions value
    std::string called;   // the called workflow's permissions lines (top level and jobs)
    std::vector<std::string> errors;
  };
  const std::string job_a = "jobs:\n  build:\n    runs-on: x\n";
  const std::vector<Row> rows{
      {"{contents: read}", "permissions:\n  contents: read\n" + job_a, {}},
      {"{contents: read}", "permissions:\n  contents: none\n" + job_a, {}},
      {"{contents: read}", "permissions: {}\n" + job_a, {}},
      {"{contents: read}", job_a, {}},  // nothing asked: the caller's permissions apply
      {"{contents: read}",
       job_a + "    permissions:\n      contents: write\n",
       {"called.yml:6:5: Error calling workflow './called.yml'. The nested job 'build' is requesting "
        "'contents: write', but is only allowed 'contents: read'."}},
      {"{contents: read}",
       "permissions: write-all\n" + job_a,
       {"called.yml:3:1: Error calling workflow './called.yml'. The workflow is requesting 'actions: write, "
        "artifact-metadata: write, attestations: write, checks: write, contents: write, deployments: write, discussions: write, issues: write, "
        "packages: write, pages: write, pull-requests: write, repository-projects: write, statuses: write, "
        "security-events: write, id-token: write, models: read', but is only allowed 'actions: none, "
        "artifact-metadata: none, attestations: none, checks: none, contents: read, deployments: none, discussions: none, issues: none, packages: none, "
        "pages: none, pull-requests: none, repository-projects: none, statuses: none, security-events: none, "
        "id-token: none, models: none'."}},
      {"read-all", "permissions: read-all\n" + job_a, {}},
      {"read-all",
       job_a + "    permissions:\n      id-token: write\n      packages: read\n",
       {"called.yml:6:5: Error calling workflow './called.yml'. The nested job 'build' is requesting "
        "'id-token: write', but is only allowed 'id-token: read'."}},
      {"write-all", "permissions: write-all\n" + job_a, {}},
      {"{}",
       job_a + "    permissions:\n      contents: read\n",
       {"called.yml:6:5: Error calling workflow './called.yml'. The nested job 'build' is requesting "
        "'contents: read', but is only allowed 'contents: none'."}},
      {"{contents: read}", job_a + "    permissions: ${{ inputs.p }}\n", {}},  // decided at run time
  };
  for (const auto& row : rows) {
    const auto allowed = permissions_of(row.allowed);
    REQUIRE(allowed);
    const auto called = parse("on:\n  workflow_call:\n" + row.called + "    steps:\n      - run: a\n", "called.yml");
    std::vector<std::string> errors;
    for (const auto& d : check_called_permissions(*allowed, called, "./called.yml")) {
      errors.push_back(d.where.file + ":" + std::to_string(d.where.line) + ":" + std::to_string(d.where.column) +
                       ": " + d.message);
    }
    INFO(row.allowed << " / " << row.called);
    CHECK(errors == row.errors);
  }
}
