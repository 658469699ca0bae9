// `action.yml`: metadata, inputs, outputs and the three kinds of `runs:`.
#include "workflow/loader.hpp"
#include "workflow/parse_internal.hpp"

namespace pipeline::workflow {
namespace detail {
namespace {

std::string text_of(ParseContext& ctx, const Node& map, std::string_view key) {
  auto value = optional_string(ctx, map, key);
  return value ? value->value : std::string();
}

void read_inputs(ParseContext& ctx, const Node& inputs, ActionManifest& action) {
  if (inputs.is_null() || !ctx.expect_mapping(inputs, "'inputs'")) {
    return;
  }
  for (const auto& entry : inputs.entries) {
    ActionInput input;
    input.name = entry.key;
    input.where = entry.key_where;
    const std::string what = "input " + single_quoted(entry.key);
    if (!entry.value.is_null() && ctx.expect_mapping(entry.value, what)) {
      ctx.check_keys(entry.value, {"description", "required", "default", "deprecationMessage"}, what);
      input.description = text_of(ctx, entry.value, "description");
      // Actions write `required: 'true'` often enough that GitHub accepts any truthy text.
      if (const Node* required = entry.value.find("required")) {
        input.required = required->scalar == "true" || required->scalar == "True" || required->scalar == "TRUE";
      }
      if (const Node* value = entry.value.find("default")) {
        input.default_value = *value;
      }
      if (auto message = optional_string(ctx, entry.value, "deprecationMessage")) {
        input.deprecation_message = message->value;
      }
    }
    action.inputs.push_back(std::move(input));
  }
}

void read_outputs(ParseContext& ctx, const Node& outputs, ActionManifest& action) {
  if (outputs.is_null() || !ctx.expect_mapping(outputs, "'outputs'")) {
    return;
  }
  for (const auto& entry : outputs.entries) {
    OutputSpec output{entry.key, "", std::nullopt, entry.key_where};
    const std::string what = "output " + single_quoted(entry.key);
    if (!entry.value.is_null() && ctx.expect_mapping(entry.value, what)) {
      ctx.check_keys(entry.value, {"description", "value"}, what);
      output.description = text_of(ctx, entry.value, "description");
      if (const Node* value = entry.value.find("value")) {
        output.value = *value;
      }
    }
    action.outputs.push_back(std::move(output));
  }
}

void read_runs(ParseContext& ctx, const Node& runs, ActionRuns& out) {
  if (!ctx.expect_mapping(runs, "'runs'")) {
    return;
  }
  const Node* using_node = runs.find("using");
  if (using_node == nullptr) {
    ctx.error(runs.where, "'runs' needs a 'using' key", "use 'composite', 'node20' or 'docker'");
    return;
  }
  if (auto value = ctx.string_of(*using_node, "'using'")) {
    out.using_ = std::move(*value);
  }
  const std::string& kind = out.using_.value;
  if (kind == "composite") {
    ctx.check_keys(runs, {"using", "steps"}, "'runs' of a composite action");
    if (const Node* steps = runs.find("steps")) {
      out.steps = parse_steps(ctx, *steps, "the composite action", StepList::composite);
      // Composite actions have no `defaults`, so GitHub insists on an explicit shell.
      for (const auto& step : out.steps) {
        if (step.run && !step.shell) {
          ctx.error(step.where, "step " + std::to_string(step.index + 1) +
                                    " of the composite action runs a script but has no 'shell'",
                    "add for example 'shell: bash'");
        }
        // `$/` takes the action's own repository at the action's own revision.
        if (step.uses && step.uses->value.starts_with("$/") && step.uses->value.find('@') != std::string::npos) {
          ctx.error(step.uses->where, "'uses: " + step.uses->value + "' in step " + std::to_string(step.index + 1) +
                                          " of the composite action has a version",
                    "'$/' names the action's own repository at its revision; remove the '@' and what follows");
        }
      }
    } else {
      ctx.error(runs.where, "a composite action needs 'steps'");
    }
  } else if (kind == "docker") {
    ctx.check_keys(runs, {"using", "image", "entrypoint", "args", "env", "pre-entrypoint", "post-entrypoint",
                          "pre-if", "post-if"},
                   "'runs' of a Docker action");
    out.image = optional_string(ctx, runs, "image");
    if (!out.image) {
      ctx.error(runs.where, "a Docker action needs an 'image'");
    }
    out.entrypoint = optional_string(ctx, runs, "entrypoint");
    out.pre_entrypoint = optional_string(ctx, runs, "pre-entrypoint");
    out.post_entrypoint = optional_string(ctx, runs, "post-entrypoint");
    out.pre_if = optional_string(ctx, runs, "pre-if");
    out.post_if = optional_string(ctx, runs, "post-if");
    if (const Node* args = runs.find("args")) {
      (void)ctx.string_list(*args, "'args'");
      out.args = *args;
    }
    out.env = optional_mapping(ctx, runs, "env");
  } else if (kind == "node12" || kind == "node16" || kind == "node20" || kind == "node24") {
    ctx.check_keys(runs, {"using", "main", "pre", "post", "pre-if", "post-if"}, "'runs' of a JavaScript action");
    out.main = optional_string(ctx, runs, "main");
    if (!out.main) {
      ctx.error(runs.where, "a JavaScript action needs 'main'");
    }
    out.pre = optional_string(ctx, runs, "pre");
    out.post = optional_string(ctx, runs, "post");
    out.pre_if = optional_string(ctx, runs, "pre-if");
    out.post_if = optional_string(ctx, runs, "post-if");
  } else if (!kind.empty()) {
    const std::string near = closest_match(kind, {"composite", "docker", "node12", "node16", "node20", "node24"});
    ctx.error(out.using_.where, "unknown 'using: " + kind + "'",
              near.empty() ? "use 'composite', 'docker', 'node20' or 'node24'" : "did you mean " + single_quoted(near) + "?");
  }
}

}  // namespace
}  // namespace detail

ActionLoadResult load_action_manifest_text(std::string_view text, std::string path) {
  ActionLoadResult result;
  YamlParse yaml = parse_yaml(text, path);
  result.diagnostics = std::move(yaml.diagnostics);
  if (!yaml.root) {
    return result;
  }
  detail::ParseContext ctx(result.diagnostics);
  if (!yaml.root->is_mapping()) {
    ctx.error(yaml.root->where, "an action manifest must be a mapping, not " +
                                    std::string(describe_kind(yaml.root->kind)));
    return result;
  }
  const Node& root = *yaml.root;
  ctx.check_keys(root, {"name", "description", "author", "inputs", "outputs", "runs", "branding"},
                 "the action manifest");
  ActionManifest action;
  action.path = std::move(path);
  action.source = std::string(text);
  action.name = detail::text_of(ctx, root, "name");
  action.description = detail::text_of(ctx, root, "description");
  action.author = detail::text_of(ctx, root, "author");
  if (const Node* inputs = root.find("inputs")) {
    detail::read_inputs(ctx, *inputs, action);
  }
  if (const Node* outputs = root.find("outputs")) {
    detail::read_outputs(ctx, *outputs, action);
  }
  if (const Node* runs = root.find("runs")) {
    detail::read_runs(ctx, *runs, action.runs);
  } else {
    ctx.error({action.path, 1, 1}, "the action manifest has no 'runs' key");
  }
  if (const Node* branding = root.find("branding")) {
    action.branding = *branding;
  }
  result.manifest = std::move(action);
  return result;
}

}  // namespace pipeline::workflow
