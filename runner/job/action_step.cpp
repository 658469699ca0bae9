#include "runner/job/action_step.hpp"
#include "runner/trace/trace.hpp"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cstdlib>
#include <filesystem>

namespace pipeline::runner::job {

namespace expr = workflow::expr;

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

/// `with:` keys match input names without regard to case, as GitHub matches them.
const workflow::NodeEntry* find_with(const std::optional<workflow::Node>& with, std::string_view name) {
  if (!with || !with->is_mapping()) {
    return nullptr;
  }
  const std::string wanted = lower(name);
  for (const auto& entry : with->entries) {
    if (lower(entry.key) == wanted) {
      return &entry;
    }
  }
  return nullptr;
}

bool declared(const workflow::ActionManifest& manifest, std::string_view key) {
  const std::string wanted = lower(key);
  return std::any_of(manifest.inputs.begin(), manifest.inputs.end(),
                     [&](const auto& input) { return lower(input.name) == wanted; });
}

std::string valid_inputs(const workflow::ActionManifest& manifest) {
  std::string list;
  for (const auto& input : manifest.inputs) {
    list += (list.empty() ? "'" : ", '") + input.name + "'";
  }
  return "[" + list + "]";
}

}  // namespace

Result<ActionInputs> evaluate_action_inputs(const workflow::ActionManifest& manifest,
                                            const std::optional<workflow::Node>& with, expr::MapContext& context) {
  ActionInputs result;
  for (const auto& input : manifest.inputs) {
    const auto* given = find_with(with, input.name);
    std::string value;
    if (given) {
      auto evaluated = evaluate_string(given->value, context);
      if (!evaluated) {
        return Error{where_prefix(given->value.where) + evaluated.error().message};
      }
      value = std::move(*evaluated);
      if (input.deprecation_message) {
        result.warnings.push_back("Input '" + input.name + "' has been deprecated with message: " +
                                  *input.deprecation_message);
      }
    } else if (input.default_value) {
      auto evaluated = evaluate_string(*input.default_value, context);
      if (!evaluated) {
        return Error{where_prefix(input.default_value->where) + evaluated.error().message};
      }
      value = std::move(*evaluated);
    } else if (input.required) {
      return Error{"Input required and not supplied: " + input.name + " (action " + manifest.path + ")"};
    }
    set_env(result.values, input.name, std::move(value));
  }
  std::vector<std::string> unexpected;
  if (with && with->is_mapping()) {
    for (const auto& entry : with->entries) {
      if (!declared(manifest, entry.key)) {
        unexpected.push_back("'" + entry.key + "'");
        auto evaluated = evaluate_string(entry.value, context);
        set_env(result.values, entry.key, evaluated ? *evaluated : entry.value.scalar);
      }
    }
  }
  if (!unexpected.empty()) {
    std::string names;
    for (const auto& name : unexpected) {
      names += (names.empty() ? "" : ", ") + name;
    }
    result.warnings.push_back("Unexpected input(s) " + names + ", valid inputs are " + valid_inputs(manifest));
  }
  return result;
}

std::string input_env_name(std::string_view name) {
  std::string env = "INPUT_";
  for (char c : name) {
    env += c == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return env;
}

expr::Value inputs_context(const EnvList& inputs) {
  return string_map(inputs);
}

EnvList evaluate_action_outputs(const workflow::ActionManifest& manifest, expr::MapContext& context) {
  EnvList outputs;
  for (const auto& output : manifest.outputs) {
    if (!output.value) {
      continue;
    }
    auto value = evaluate_string(*output.value, context);
    set_env(outputs, output.name, value ? std::move(*value) : std::string());
  }
  return outputs;
}

std::string node_entry(const workflow::ActionManifest& manifest, ActionStage stage) {
  const auto& runs = manifest.runs;
  const auto& entry = stage == ActionStage::pre ? runs.pre : stage == ActionStage::post ? runs.post : runs.main;
  return entry ? entry->value : "";
}

std::string stage_condition(const workflow::ActionManifest& manifest, ActionStage stage) {
  const auto& runs = manifest.runs;
  const auto& condition = stage == ActionStage::pre ? runs.pre_if : stage == ActionStage::post ? runs.post_if
                                                                                                : std::nullopt;
  return condition && !condition->value.empty() ? condition->value : "always()";
}

bool is_node_runtime(std::string_view using_) {
  return using_ == "node12" || using_ == "node16" || using_ == "node20" || using_ == "node24";
}

bool has_stage(const actions::ResolvedAction& action, ActionStage stage) {
  if (stage == ActionStage::main) {
    return true;
  }
  if (!action.manifest) {
    return false;  // docker:// has neither pre nor post
  }
  const auto& runs = action.manifest->runs;
  if (runs.using_.value == "docker") {
    return stage == ActionStage::pre ? runs.pre_entrypoint.has_value() : runs.post_entrypoint.has_value();
  }
  return is_node_runtime(runs.using_.value) && !node_entry(*action.manifest, stage).empty();
}

bool is_container_action(const actions::ResolvedAction& action) {
  return action.kind == actions::ActionKind::docker || action.manifest->runs.using_.value == "docker";
}

std::string host_node() {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    const std::string candidate = std::string(dirs.substr(0, colon)) + "/node";
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) {
      return std::filesystem::canonical(candidate, ec).string();
    }
    dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
  }
  return "";
}

int node_major(std::string_view version) {
  if (!version.empty() && version.front() == 'v') {
    version.remove_prefix(1);
  }
  int major = 0;
  auto [end, error] = std::from_chars(version.data(), version.data() + version.size(), major);
  return error == std::errc() && end != version.data() ? major : 0;
}

std::optional<NodeChoice> choose_node(std::string_view using_, const std::vector<NodeInstall>& installs) {
  const int wanted = node_major(using_.substr(std::min<std::size_t>(4, using_.size())));  // "node20"
  // Actions for node12/16 run on node20 or newer on GitHub: a newer node is as good as theirs.
  auto tolerated = [&](int major) { return wanted <= 16 && major >= 20; };
  const NodeInstall* best = nullptr;
  // Lower is better: the wanted major version, then one GitHub would run the action on, then the closest.
  auto distance = [&](const NodeInstall& install) {
    const int major = node_major(install.version);
    if (major == wanted) {
      return 0;
    }
    if (tolerated(major)) {
      return 1 + (major - 20);
    }
    // Equally far: the newer node, which keeps running what an older one ran.
    return 1000 + 2 * std::abs(major - wanted) - (major > wanted ? 1 : 0);
  };
  for (const auto& install : installs) {
    if (!best || distance(install) < distance(*best)) {
      best = &install;
    }
  }
  if (!best) {
    return std::nullopt;
  }
  NodeChoice choice{best->path, best->version, ""};
  const int major = node_major(best->version);
  if (major != wanted && !tolerated(major)) {
    choice.warning = "This action is written for node " + std::to_string(wanted) + " (runs.using: " +
                     std::string(using_) + ") but no node " + std::to_string(wanted) +
                     " is available; running it with node " + best->version + " (" + best->path + ")";
  }
  return choice;
}

actions::ResolverOptions resolver_options(const RunOptions& options) {
  actions::ResolverOptions resolver;
  if (!options.actions_url.empty()) {
    resolver.base_url = options.actions_url;
  }
  resolver.network = options.offline ? actions::Network::offline : actions::Network::online;
  resolver.overrides = options.action_overrides;
  if (trace::enabled(trace::Level::debug)) {
    resolver.trace = [](const std::string& line) { trace::write(trace::Level::debug, line); };
  }
  return resolver;
}

}  // namespace pipeline::runner::job
