// `jobs:` and everything inside a job: steps, strategy, container, services.
#include <algorithm>

#include "workflow/parse_internal.hpp"

namespace pipeline::workflow::detail {

Step read_step(ParseContext& ctx, const Node& node, std::size_t index, const std::string& owner, StepList list) {
  Step step;
  step.index = index;
  step.where = node.where;
  const std::string what = "step " + std::to_string(index + 1) + " of " + owner;
  if (!ctx.expect_mapping(node, what)) {
    return step;
  }
  if (list == StepList::job) {
    ctx.check_keys(node, {"id", "name", "if", "uses", "run", "shell", "with", "env", "working-directory",
                          "continue-on-error", "timeout-minutes", "background", "wait", "wait-all", "cancel"},
                   what, Place::step);
    read_concurrency_keys(ctx, node, step);
  } else {
    ctx.check_keys(node, {"id", "name", "if", "uses", "run", "shell", "with", "env", "working-directory",
                          "continue-on-error", "timeout-minutes"},
                   what, Place::step);
  }
  step.id = optional_string(ctx, node, "id");
  step.name = optional_string(ctx, node, "name");
  step.if_condition = optional_string(ctx, node, "if");
  step.uses = optional_string(ctx, node, "uses");
  step.run = optional_string(ctx, node, "run");
  step.shell = optional_string(ctx, node, "shell");
  step.working_directory = optional_string(ctx, node, "working-directory");
  step.with = optional_mapping(ctx, node, "with");
  step.env = optional_mapping(ctx, node, "env");
  if (const Node* value = node.find("continue-on-error")) {
    step.continue_on_error = *value;
  }
  if (const Node* value = node.find("timeout-minutes")) {
    step.timeout_minutes = *value;
  }
  return step;
}

namespace {

Strategy read_strategy(ParseContext& ctx, const Node& node) {
  Strategy strategy;
  strategy.where = node.where;
  if (node.kind == Node::Kind::string && is_whole_expression(node.scalar)) {
    strategy.matrix = node;  // the whole strategy from an expression; treat as an unknown matrix
    return strategy;
  }
  if (!ctx.expect_mapping(node, "'strategy'")) {
    return strategy;
  }
  ctx.check_keys(node, {"matrix", "fail-fast", "max-parallel"}, "'strategy'");
  if (const Node* matrix = node.find("matrix")) {
    if (auto value = ctx.mapping_or_expression(*matrix, "'matrix'")) {
      strategy.matrix = std::move(*value);
    }
  }
  if (const Node* value = node.find("fail-fast")) {
    strategy.fail_fast = ctx.boolean_or_expression(*value, "'fail-fast'");
  }
  if (const Node* value = node.find("max-parallel")) {
    strategy.max_parallel = ctx.number_or_expression(*value, "'max-parallel'");
  }
  return strategy;
}

std::vector<Located<std::string>> optional_list(ParseContext& ctx, const Node& map, std::string_view key) {
  if (const Node* value = map.find(key)) {
    return ctx.string_list(*value, single_quoted(key));
  }
  return {};
}

// Which keys a container mapping takes: services also take `entrypoint` and `command`.
enum class ContainerRole { job, service };

// `entrypoint:` and `command:` of a service: a string, a list of strings, or an expression.
std::optional<Node> command_line(ParseContext& ctx, const Node& map, std::string_view key) {
  const Node* value = map.find(key);
  if (value == nullptr) {
    return std::nullopt;
  }
  if (value->is_sequence()) {
    (void)ctx.string_list(*value, single_quoted(key));
    return *value;
  }
  if (ctx.string_of(*value, single_quoted(key))) {
    return *value;
  }
  return std::nullopt;
}

Container read_container(ParseContext& ctx, const Node& node, const std::string& what, ContainerRole role) {
  Container container;
  container.raw = node;
  container.where = node.where;
  if (node.is_scalar()) {
    if (!is_whole_expression(node.scalar)) {
      container.image = node;
    }
    return container;
  }
  if (!ctx.expect_mapping(node, what)) {
    return container;
  }
  if (role == ContainerRole::service) {
    ctx.check_keys(node, {"image", "credentials", "env", "ports", "volumes", "options", "entrypoint", "command"}, what);
    container.entrypoint = command_line(ctx, node, "entrypoint");
    container.command = command_line(ctx, node, "command");
  } else {
    ctx.check_keys(node, {"image", "credentials", "env", "ports", "volumes", "options"}, what);
  }
  if (const Node* image = node.find("image")) {
    if (ctx.string_of(*image, "'image'")) {
      container.image = *image;
    }
  } else {
    ctx.error(node.where, what + " has no 'image'");
  }
  if (const Node* credentials = node.find("credentials")) {
    if (auto value = ctx.mapping_or_expression(*credentials, "'credentials'")) {
      if (value->is_mapping()) {
        ctx.check_keys(*value, {"username", "password"}, "'credentials'");
      }
      container.credentials = std::move(value);
    }
  }
  container.env = optional_mapping(ctx, node, "env");
  container.ports = optional_list(ctx, node, "ports");
  container.volumes = optional_list(ctx, node, "volumes");
  container.options = optional_string(ctx, node, "options");
  return container;
}

// `services:` is a mapping of service keys, or one expression evaluated when the job starts.
void read_services(ParseContext& ctx, const Node& node, Job& job) {
  if (node.kind == Node::Kind::string && is_whole_expression(node.scalar)) {
    job.services_expression = node;
    return;
  }
  if (node.is_null()) {
    return;
  }
  if (!ctx.expect_mapping(node, "'services'")) {
    return;
  }
  for (const auto& entry : node.entries) {
    job.services.emplace_back(entry.key, read_container(ctx, entry.value, "service " + single_quoted(entry.key),
                                                        ContainerRole::service));
  }
}

void read_runs_on(ParseContext& ctx, const Node& node, Job& job) {
  if (node.is_mapping()) {
    ctx.check_keys(node, {"group", "labels"}, "'runs-on'");
    job.runs_on = node;
    return;
  }
  if (node.is_sequence()) {
    (void)ctx.string_list(node, "'runs-on'");
  } else if (!node.is_scalar()) {
    ctx.error(node.where, "'runs-on' must be a label, a list of labels or a {group, labels} mapping, not " +
                              std::string(describe_kind(node.kind)));
    return;
  }
  job.runs_on = node;
}

void read_environment(ParseContext& ctx, const Node& node, Job& job) {
  if (node.is_mapping()) {
    ctx.check_keys(node, {"name", "url", "deployment"}, "'environment'");
  } else if (!node.is_scalar()) {
    ctx.error(node.where, "'environment' must be a name or a {name, url} mapping, not " +
                              std::string(describe_kind(node.kind)));
    return;
  }
  job.environment = node;
}

void read_secrets(ParseContext& ctx, const Node& node, Job& job) {
  if (node.kind == Node::Kind::string && node.scalar == "inherit") {
    job.secrets_inherit = true;
    job.secrets = node;
    return;
  }
  if (node.is_mapping()) {
    job.secrets = node;
    return;
  }
  ctx.error(node.where, "'secrets' of a job must be 'inherit' or a mapping, not " +
                            std::string(describe_kind(node.kind)),
            node.is_scalar() ? "did you mean 'secrets: inherit'?" : "");
}

// `snapshot:` is an image name, or a mapping with `image-name` and optional `if` and `version`.
std::optional<Node> read_snapshot(ParseContext& ctx, const Node& node) {
  if (node.kind == Node::Kind::string) {
    return node;
  }
  if (!ctx.expect_mapping(node, "'snapshot'")) {
    return std::nullopt;
  }
  ctx.check_keys(node, {"image-name", "if", "version"}, "'snapshot'");
  if (!node.find("image-name")) {
    ctx.error(node.where, "'snapshot' needs 'image-name'", "the name of the custom image to create or update");
  }
  return node;
}

void read_job_body(ParseContext& ctx, const Node& node, Job& job) {
  const std::string owner = "job " + single_quoted(job.id.value);
  job.name = optional_string(ctx, node, "name");
  if (const Node* needs = node.find("needs")) {
    job.needs = ctx.string_list(*needs, "'needs'");
  }
  job.if_condition = optional_string(ctx, node, "if");
  if (const Node* value = node.find("runs-on")) {
    read_runs_on(ctx, *value, job);
  }
  if (const Node* value = node.find("environment")) {
    read_environment(ctx, *value, job);
  }
  job.outputs = optional_mapping(ctx, node, "outputs");
  job.env = optional_mapping(ctx, node, "env");
  if (const Node* value = node.find("defaults")) {
    job.defaults = parse_defaults(ctx, *value);
  }
  if (const Node* value = node.find("timeout-minutes")) {
    job.timeout_minutes = *value;
  }
  if (const Node* value = node.find("cancel-timeout-minutes")) {
    job.cancel_timeout_minutes = *value;
  }
  if (const Node* value = node.find("continue-on-error")) {
    job.continue_on_error = *value;
  }
  if (const Node* value = node.find("snapshot")) {
    job.snapshot = read_snapshot(ctx, *value);
  }
  if (const Node* value = node.find("strategy")) {
    job.strategy = read_strategy(ctx, *value);
  }
  if (const Node* value = node.find("container"); value != nullptr && !value->is_null()) {
    job.container = read_container(ctx, *value, "'container'", ContainerRole::job);
  }
  if (const Node* value = node.find("services")) {
    read_services(ctx, *value, job);
  }
  if (const Node* value = node.find("steps")) {
    job.steps = parse_steps(ctx, *value, owner, StepList::job);
  }
  if (const Node* value = node.find("concurrency")) {
    job.concurrency = parse_concurrency(ctx, *value);
  }
  if (const Node* value = node.find("permissions")) {
    job.permissions = parse_permissions(ctx, *value);
    job.permissions_key = node.key_location("permissions");
  }
  job.uses = optional_string(ctx, node, "uses");
  job.with = optional_mapping(ctx, node, "with");
  if (const Node* value = node.find("secrets")) {
    read_secrets(ctx, *value, job);
  }
}

// The keys of a job with steps that a job calling a reusable workflow may not have (GitHub's
// schema gives a call only name, uses, with, secrets, needs, if, permissions, concurrency, strategy).
constexpr std::string_view k_steps_job_only_keys[] = {
    "runs-on",  "environment", "outputs",  "env",      "defaults", "timeout-minutes", "cancel-timeout-minutes",
    "continue-on-error", "container", "services", "steps", "snapshot"};

// The rest belong to the jobs of the called workflow. Each is reported where it is written.
void check_call_keys(ParseContext& ctx, const Node& node, const std::string& owner) {
  for (const auto& entry : node.entries) {
    if (std::find(std::begin(k_steps_job_only_keys), std::end(k_steps_job_only_keys), entry.key) !=
        std::end(k_steps_job_only_keys)) {
      ctx.error(entry.key_where, owner + " calls a reusable workflow, so it cannot have " + single_quoted(entry.key),
                "a job with 'uses' takes only name, uses, with, secrets, needs, if, permissions, concurrency and "
                "strategy");
    }
  }
}

Job read_job(ParseContext& ctx, const NodeEntry& entry) {
  Job job;
  job.id = {entry.key, entry.key_where};
  job.where = entry.key_where;
  const std::string owner = "job " + single_quoted(entry.key);
  if (!ctx.expect_mapping(entry.value, owner)) {
    return job;
  }
  ctx.check_keys(entry.value,
                 {"name", "needs", "if", "runs-on", "environment", "outputs", "env", "defaults", "timeout-minutes",
                  "cancel-timeout-minutes", "continue-on-error", "strategy", "container", "services", "steps",
                  "snapshot", "concurrency", "permissions", "uses", "with", "secrets"},
                 owner, Place::job);
  if (entry.value.find("uses")) {
    check_call_keys(ctx, entry.value, owner);
  }
  read_job_body(ctx, entry.value, job);
  return job;
}

}  // namespace

std::vector<Job> parse_jobs(ParseContext& ctx, const Node& jobs) {
  std::vector<Job> out;
  if (!ctx.expect_mapping(jobs, "'jobs'")) {
    return out;
  }
  for (const auto& entry : jobs.entries) {
    out.push_back(read_job(ctx, entry));
  }
  return out;
}

}  // namespace pipeline::workflow::detail
