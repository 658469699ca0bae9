#pragma once
// The parts of running a `uses:` step that need no job state: inputs from `with:` and the
// manifest's defaults, INPUT_ names, composite outputs, JavaScript stage commands.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actions/resolver.hpp"
#include "runner/job/contexts.hpp"
#include "runner/job/run_options.hpp"
#include "workflow/expr/evaluator.hpp"
#include "workflow/model.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::job {

/// An action's inputs after `with:` and defaults, plus what GitHub warns about them.
struct ActionInputs {
  EnvList values;                     // manifest order, then undeclared `with:` keys
  std::vector<std::string> warnings;  // unexpected inputs, deprecation messages
};

/// Evaluates `with:` over the manifest's defaults; a required input with neither is an Error.
[[nodiscard]] Result<ActionInputs> evaluate_action_inputs(const workflow::ActionManifest& manifest,
                                                          const std::optional<workflow::Node>& with,
                                                          workflow::expr::MapContext& context);

/// GitHub's environment name for an input: `INPUT_` + upper-cased name, spaces as `_`.
[[nodiscard]] std::string input_env_name(std::string_view name);

/// The `inputs` context of a composite action.
[[nodiscard]] workflow::expr::Value inputs_context(const EnvList& inputs);

/// Evaluates the manifest's `outputs.<name>.value` (composite actions) in `context`.
[[nodiscard]] EnvList evaluate_action_outputs(const workflow::ActionManifest& manifest,
                                              workflow::expr::MapContext& context);

/// Which part of a JavaScript or Docker action runs.
enum class ActionStage { pre, main, post };

/// The file a JavaScript action runs at `stage` (empty when the action has none).
[[nodiscard]] std::string node_entry(const workflow::ActionManifest& manifest, ActionStage stage);

/// The `pre-if`/`post-if` condition of a stage (`always()` when unset).
[[nodiscard]] std::string stage_condition(const workflow::ActionManifest& manifest, ActionStage stage);

/// True for `node12`, `node16`, `node20` and `node24`.
[[nodiscard]] bool is_node_runtime(std::string_view using_);

/// Whether an action has something to run at `stage` (main always has).
[[nodiscard]] bool has_stage(const actions::ResolvedAction& action, ActionStage stage);

/// True for `docker://` steps and `runs.using: docker` actions.
[[nodiscard]] bool is_container_action(const actions::ResolvedAction& action);

/// The host's node binary (symlinks resolved), or "" when there is none.
[[nodiscard]] std::string host_node();

/// A node binary that answered `--version` where a JavaScript action would run.
struct NodeInstall {
  std::string path;     // what to execute
  std::string version;  // as it printed it, e.g. "v20.11.1"
};

/// The node chosen for an action, and a warning when its major version is not the wanted one.
struct NodeChoice {
  std::string path;
  std::string version;
  std::string warning;  // empty when the version fits
};

/// The major version of "v20.11.1" (0 when it is not a node version).
[[nodiscard]] int node_major(std::string_view version);

/// The node for `runs.using: using_`: the first install (in the order given) of the wanted
/// major version; for node12/node16, which GitHub runs on node20 nowadays, a newer one without
/// a warning; otherwise the closest, with a warning. nullopt when `installs` is empty.
[[nodiscard]] std::optional<NodeChoice> choose_node(std::string_view using_, const std::vector<NodeInstall>& installs);

/// The resolver settings of a run's options.
[[nodiscard]] actions::ResolverOptions resolver_options(const RunOptions& options);

}  // namespace pipeline::runner::job
