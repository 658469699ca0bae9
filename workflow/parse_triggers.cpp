// `on:` in its three forms (string, list, mapping) with every event's filters and inputs.
#include "workflow/parse_internal.hpp"

namespace pipeline::workflow::detail {
namespace {

using Filter = std::optional<std::vector<Located<std::string>>>;

void read_filter(ParseContext& ctx, const Node& config, std::string_view key, Filter& into) {
  if (const Node* value = config.find(key)) {
    into = value->is_null() ? std::vector<Located<std::string>>{}
                            : ctx.string_list(*value, single_quoted(key));
  }
}

void read_filters(ParseContext& ctx, const Node& config, EventFilters& filters) {
  read_filter(ctx, config, "branches", filters.branches);
  read_filter(ctx, config, "branches-ignore", filters.branches_ignore);
  read_filter(ctx, config, "tags", filters.tags);
  read_filter(ctx, config, "tags-ignore", filters.tags_ignore);
  read_filter(ctx, config, "paths", filters.paths);
  read_filter(ctx, config, "paths-ignore", filters.paths_ignore);
  read_filter(ctx, config, "types", filters.types);
  read_filter(ctx, config, "workflows", filters.workflows);
  read_filter(ctx, config, "names", filters.names);
  read_filter(ctx, config, "versions", filters.versions);
}

std::string text_or_empty(ParseContext& ctx, const Node& map, std::string_view key, std::string_view what) {
  if (const Node* value = map.find(key)) {
    if (value->is_null()) {
      return "";
    }
    if (auto text = ctx.string_of(*value, what)) {
      return text->value;
    }
  }
  return "";
}

bool flag(ParseContext& ctx, const Node& map, std::string_view key, std::string_view what) {
  const Node* value = map.find(key);
  if (value == nullptr || value->is_null()) {
    return false;
  }
  if (value->kind != Node::Kind::boolean) {
    ctx.error(value->where, std::string(what) + " must be true or false, not " +
                                std::string(describe_kind(value->kind)));
    return false;
  }
  return value->scalar == "true" || value->scalar == "True" || value->scalar == "TRUE";
}

// GitHub requires a type on a called workflow's inputs; a dispatch input defaults to a string.
void report_untyped(ParseContext& ctx, const NodeEntry& entry) {
  ctx.error(entry.key_where, "input " + single_quoted(entry.key) + " of 'workflow_call' has no 'type'",
            "add 'type: string', 'type: boolean' or 'type: number'");
}

InputSpec read_input(ParseContext& ctx, const NodeEntry& entry, std::string_view event) {
  InputSpec input;
  input.name = entry.key;
  input.where = entry.key_where;
  const Node& spec = entry.value;
  if (spec.is_null()) {
    if (event == "workflow_call") {
      report_untyped(ctx, entry);
    }
    return input;
  }
  const std::string what = "input " + single_quoted(entry.key);
  if (!ctx.expect_mapping(spec, what)) {
    return input;
  }
  if (event == "workflow_dispatch") {
    ctx.check_keys(spec, {"description", "required", "default", "type", "options"}, what);
  } else {
    ctx.check_keys(spec, {"description", "required", "default", "type"}, what);
  }
  input.description = text_or_empty(ctx, spec, "description", "'description'");
  input.required = flag(ctx, spec, "required", "'required'");
  if (const Node* value = spec.find("type")) {
    if (auto type = ctx.string_of(*value, "'type'")) {
      input.type = type->value;
    }
  } else if (event == "workflow_call") {
    report_untyped(ctx, entry);
  }
  if (const Node* value = spec.find("default")) {
    input.default_value = *value;
  }
  if (const Node* value = spec.find("options")) {
    for (auto& option : ctx.string_list(*value, "'options'")) {
      input.options.push_back(std::move(option.value));
    }
  }
  return input;
}

void read_inputs(ParseContext& ctx, const Node& inputs, Trigger& trigger) {
  if (inputs.is_null() || !ctx.expect_mapping(inputs, "'inputs'")) {
    return;
  }
  for (const auto& entry : inputs.entries) {
    trigger.inputs.push_back(read_input(ctx, entry, trigger.event.value));
  }
}

void read_call_secrets(ParseContext& ctx, const Node& secrets, Trigger& trigger) {
  if (secrets.is_null() || !ctx.expect_mapping(secrets, "'secrets'")) {
    return;
  }
  for (const auto& entry : secrets.entries) {
    SecretSpec secret{entry.key, "", false, entry.key_where};
    const std::string what = "secret " + single_quoted(entry.key);
    if (!entry.value.is_null() && ctx.expect_mapping(entry.value, what)) {
      ctx.check_keys(entry.value, {"description", "required"}, what);
      secret.description = text_or_empty(ctx, entry.value, "description", "'description'");
      secret.required = flag(ctx, entry.value, "required", "'required'");
    }
    trigger.secrets.push_back(std::move(secret));
  }
}

void read_call_outputs(ParseContext& ctx, const Node& outputs, Trigger& trigger) {
  if (outputs.is_null() || !ctx.expect_mapping(outputs, "'outputs'")) {
    return;
  }
  for (const auto& entry : outputs.entries) {
    OutputSpec output{entry.key, "", std::nullopt, entry.key_where};
    const std::string what = "output " + single_quoted(entry.key);
    if (ctx.expect_mapping(entry.value, what)) {
      ctx.check_keys(entry.value, {"description", "value"}, what);
      output.description = text_or_empty(ctx, entry.value, "description", "'description'");
      if (const Node* value = entry.value.find("value")) {
        output.value = *value;
      } else {
        ctx.error(entry.key_where, "output " + single_quoted(entry.key) + " of 'workflow_call' has no 'value'");
      }
    }
    trigger.outputs.push_back(std::move(output));
  }
}

void read_schedule(ParseContext& ctx, const Node& config, Trigger& trigger) {
  if (!config.is_sequence()) {
    ctx.error(config.where, "'schedule' must be a list of '- cron: ...' entries, not " +
                                std::string(describe_kind(config.kind)));
    return;
  }
  for (const auto& item : config.items) {
    if (!ctx.expect_mapping(item, "each 'schedule' entry")) {
      continue;
    }
    ctx.check_keys(item, {"cron", "timezone"}, "a 'schedule' entry");
    const Node* cron = item.find("cron");
    if (cron == nullptr) {
      ctx.error(item.where, "a 'schedule' entry needs a 'cron' key");
    } else if (auto text = ctx.string_of(*cron, "'cron'")) {
      trigger.crons.push_back(std::move(*text));
    }
    if (const Node* zone = item.find("timezone")) {
      if (auto text = ctx.string_of(*zone, "'timezone'")) {
        trigger.timezones.push_back(std::move(*text));
      }
    }
  }
}

void check_event_keys(ParseContext& ctx, const Node& config, const std::string& event) {
  const std::string what = "event " + single_quoted(event);
  if (event == "push") {
    ctx.check_keys(config, {"branches", "branches-ignore", "tags", "tags-ignore", "paths", "paths-ignore"}, what);
  } else if (event == "pull_request" || event == "pull_request_target") {
    ctx.check_keys(config, {"types", "branches", "branches-ignore", "paths", "paths-ignore"}, what);
  } else if (event == "workflow_run") {
    ctx.check_keys(config, {"types", "workflows", "branches", "branches-ignore"}, what);
  } else if (event == "merge_group") {
    ctx.check_keys(config, {"types", "branches", "branches-ignore"}, what);
  } else if (event == "image_version") {
    ctx.check_keys(config, {"types", "names", "versions"}, what);
  } else if (event == "workflow_dispatch") {
    ctx.check_keys(config, {"inputs"}, what);
  } else if (event == "workflow_call") {
    ctx.check_keys(config, {"inputs", "outputs", "secrets"}, what);
  } else {
    ctx.check_keys(config, {"types"}, what);
  }
}

Trigger read_trigger(ParseContext& ctx, const NodeEntry& entry) {
  Trigger trigger;
  trigger.event = {entry.key, entry.key_where};
  const Node& config = entry.value;
  if (entry.key == "schedule") {
    read_schedule(ctx, config, trigger);
    return trigger;
  }
  if (config.is_null()) {
    return trigger;
  }
  if (!ctx.expect_mapping(config, "the configuration of event " + single_quoted(entry.key))) {
    return trigger;
  }
  check_event_keys(ctx, config, entry.key);
  read_filters(ctx, config, trigger.filters);
  if (const Node* inputs = config.find("inputs")) {
    read_inputs(ctx, *inputs, trigger);
  }
  if (entry.key == "workflow_call") {
    if (const Node* secrets = config.find("secrets")) {
      read_call_secrets(ctx, *secrets, trigger);
    }
    if (const Node* outputs = config.find("outputs")) {
      read_call_outputs(ctx, *outputs, trigger);
    }
  }
  return trigger;
}

}  // namespace

std::vector<Trigger> parse_on(ParseContext& ctx, const Node& on) {
  std::vector<Trigger> triggers;
  if (on.is_scalar()) {
    triggers.push_back({{on.scalar, on.where}, {}, {}, {}, {}, {}});
    return triggers;
  }
  if (on.is_sequence()) {
    for (const auto& name : ctx.string_list(on, "'on'")) {
      triggers.push_back({name, {}, {}, {}, {}, {}});
    }
    return triggers;
  }
  if (!on.is_mapping()) {
    ctx.error(on.where, "'on' must be an event name, a list of event names or a mapping, not " +
                            std::string(describe_kind(on.kind)));
    return triggers;
  }
  for (const auto& entry : on.entries) {
    triggers.push_back(read_trigger(ctx, entry));
  }
  return triggers;
}

}  // namespace pipeline::workflow::detail
