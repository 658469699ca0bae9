// The top level of a workflow and the pieces shared by workflows and jobs.
#include <algorithm>

#include "workflow/loader.hpp"
#include "workflow/parse_internal.hpp"

namespace pipeline::workflow {
namespace detail {
namespace {

constexpr std::string_view k_permission_scopes[] = {
    "actions",  "artifact-metadata", "attestations", "checks", "contents", "copilot-requests", "deployments",
    "discussions", "id-token", "issues", "models", "packages", "pages", "pull-requests", "repository-projects",
    "security-events", "statuses", "vulnerability-alerts"};

// GitHub's schema: a few scopes have only one level besides 'none'.
void check_permission_level(ParseContext& ctx, const NodeEntry& entry) {
  const Node& level = entry.value;
  const bool read_only = entry.key == "models" || entry.key == "vulnerability-alerts";
  const bool write_only = entry.key == "copilot-requests";
  if (level.kind == Node::Kind::string && (level.scalar == "none" || (level.scalar == "read" && !write_only) ||
                                           (level.scalar == "write" && !read_only))) {
    return;
  }
  const std::string levels = read_only ? "'read' or 'none'" : write_only ? "'write' or 'none'" : "'read', 'write' or 'none'";
  ctx.error(level.where, "permission " + single_quoted(entry.key) + " must be " + levels);
}

}  // namespace

std::optional<Located<std::string>> optional_string(ParseContext& ctx, const Node& map, std::string_view key) {
  const Node* value = map.find(key);
  if (value == nullptr || value->is_null()) {
    return std::nullopt;
  }
  return ctx.string_of(*value, single_quoted(key));
}

std::optional<Node> optional_mapping(ParseContext& ctx, const Node& map, std::string_view key) {
  const Node* value = map.find(key);
  if (value == nullptr || value->is_null()) {
    return std::nullopt;
  }
  return ctx.mapping_or_expression(*value, single_quoted(key));
}

RunDefaults parse_defaults(ParseContext& ctx, const Node& defaults) {
  RunDefaults out;
  if (defaults.is_null() || !ctx.expect_mapping(defaults, "'defaults'")) {
    return out;
  }
  ctx.check_keys(defaults, {"run"}, "'defaults'");
  const Node* run = defaults.find("run");
  if (run == nullptr || run->is_null() || !ctx.expect_mapping(*run, "'defaults.run'")) {
    return out;
  }
  ctx.check_keys(*run, {"shell", "working-directory"}, "'defaults.run'");
  out.shell = optional_string(ctx, *run, "shell");
  out.working_directory = optional_string(ctx, *run, "working-directory");
  return out;
}

std::optional<Concurrency> parse_concurrency(ParseContext& ctx, const Node& node) {
  Concurrency out;
  out.where = node.where;
  if (node.is_scalar()) {
    out.group = node;
    return out;
  }
  if (!ctx.expect_mapping(node, "'concurrency'")) {
    return std::nullopt;
  }
  ctx.check_keys(node, {"group", "cancel-in-progress", "queue"}, "'concurrency'");
  if (const Node* queue = node.find("queue")) {
    // Locally nothing waits in a concurrency group, so the mode is only checked.
    if (auto mode = ctx.string_of(*queue, "'queue'"); mode && mode->value != "single" && mode->value != "max") {
      ctx.error(queue->where, "'queue' of 'concurrency' must be 'single' or 'max', not '" + mode->value + "'");
    }
  }
  if (const Node* group = node.find("group")) {
    if (ctx.string_of(*group, "'group'")) {
      out.group = *group;
    }
  } else {
    ctx.error(node.where, "'concurrency' needs a 'group'");
  }
  if (const Node* cancel = node.find("cancel-in-progress")) {
    out.cancel_in_progress = ctx.boolean_or_expression(*cancel, "'cancel-in-progress'");
  }
  return out;
}

std::optional<Node> parse_permissions(ParseContext& ctx, const Node& node) {
  if (node.kind == Node::Kind::string) {
    if (node.scalar != "read-all" && node.scalar != "write-all" && !is_whole_expression(node.scalar)) {
      const std::string near = closest_match(node.scalar, {"read-all", "write-all"});
      ctx.error(node.where, "'permissions' must be 'read-all', 'write-all' or a mapping of scopes",
                near.empty() ? "" : "did you mean " + single_quoted(near) + "?");
    }
    return node;
  }
  if (node.is_null()) {
    return node;
  }
  if (!ctx.expect_mapping(node, "'permissions'")) {
    return std::nullopt;
  }
  ctx.check_keys(node, k_permission_scopes, "'permissions'");
  for (const auto& entry : node.entries) {
    if (std::find(std::begin(k_permission_scopes), std::end(k_permission_scopes), entry.key) !=
        std::end(k_permission_scopes)) {
      check_permission_level(ctx, entry);
    }
  }
  return node;
}

namespace {

void read_top_level(ParseContext& ctx, const Node& root, Workflow& wf) {
  ctx.check_keys(root,
                 {"name", "run-name", "description", "on", "permissions", "env", "defaults", "concurrency", "jobs"},
                 "the workflow", Place::workflow);
  wf.name = optional_string(ctx, root, "name");
  wf.description = optional_string(ctx, root, "description");
  wf.run_name = optional_string(ctx, root, "run-name");
  if (const Node* on = root.find("on")) {
    wf.on = parse_on(ctx, *on);
  } else {
    ctx.error({wf.path, 1, 1}, "the workflow has no 'on' key, so no event can start it",
              "add for example 'on: push'");
  }
  wf.env = optional_mapping(ctx, root, "env");
  if (const Node* value = root.find("defaults")) {
    wf.defaults = parse_defaults(ctx, *value);
  }
  if (const Node* value = root.find("concurrency")) {
    wf.concurrency = parse_concurrency(ctx, *value);
  }
  if (const Node* value = root.find("permissions")) {
    wf.permissions = parse_permissions(ctx, *value);
    wf.permissions_key = root.key_location("permissions");
  }
  // A missing or empty `jobs:` is reported by validation, which also sees hand-built workflows.
  if (const Node* jobs = root.find("jobs"); jobs != nullptr && !jobs->is_null()) {
    wf.jobs = parse_jobs(ctx, *jobs);
  }
}

}  // namespace
}  // namespace detail

LoadResult load_workflow_text(std::string_view text, std::string path) {
  LoadResult result;
  YamlParse yaml = parse_yaml(text, path);
  result.diagnostics = std::move(yaml.diagnostics);
  if (!yaml.root) {
    return result;
  }
  detail::ParseContext ctx(result.diagnostics);
  if (yaml.root->is_null()) {
    ctx.error({path, 1, 1}, "the workflow file is empty", "a workflow needs at least 'on' and 'jobs'");
    return result;
  }
  if (!yaml.root->is_mapping()) {
    ctx.error(yaml.root->where, "a workflow must be a mapping, not " + std::string(describe_kind(yaml.root->kind)));
    return result;
  }
  Workflow wf;
  wf.path = std::move(path);
  wf.source = std::string(text);
  detail::read_top_level(ctx, *yaml.root, wf);
  result.workflow = std::move(wf);
  return result;
}

}  // namespace pipeline::workflow
