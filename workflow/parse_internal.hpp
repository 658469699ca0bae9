#pragma once
// Internal to the loader: the parse functions for each part of a workflow or action.
#include <string>
#include <vector>

#include "workflow/model.hpp"
#include "workflow/parse_context.hpp"
#include "workflow/yaml_node.hpp"

namespace pipeline::workflow::detail {

/// `on:` in any of its forms.
[[nodiscard]] std::vector<Trigger> parse_on(ParseContext& ctx, const Node& on);

/// Every entry of `jobs:`.
[[nodiscard]] std::vector<Job> parse_jobs(ParseContext& ctx, const Node& jobs);

/// Which list a step is in: a job's steps may run in the background, a composite action's may not.
enum class StepList { job, composite };

/// A `steps:` list; `owner` names it in messages ("job 'build'"). A `parallel` group becomes its
/// member steps, each a background step, followed by a step that waits for all of them.
[[nodiscard]] std::vector<Step> parse_steps(ParseContext& ctx, const Node& steps, const std::string& owner,
                                            StepList list);

/// One step mapping; `index` is its position in the (expanded) list.
[[nodiscard]] Step read_step(ParseContext& ctx, const Node& node, std::size_t index, const std::string& owner,
                             StepList list);

/// `background`, `wait`, `wait-all` and `cancel` of one step, checked for their shapes.
void read_concurrency_keys(ParseContext& ctx, const Node& node, Step& step);

/// `defaults:` (only `run:` is defined).
[[nodiscard]] RunDefaults parse_defaults(ParseContext& ctx, const Node& defaults);

/// `concurrency:` as a group string or a mapping.
[[nodiscard]] std::optional<Concurrency> parse_concurrency(ParseContext& ctx, const Node& node);

/// `permissions:` checked for known scopes and levels; kept as written.
[[nodiscard]] std::optional<Node> parse_permissions(ParseContext& ctx, const Node& node);

/// An optional string-valued key of `map`.
[[nodiscard]] std::optional<Located<std::string>> optional_string(ParseContext& ctx, const Node& map,
                                                                  std::string_view key);

/// A key whose value must be a mapping or an expression (`env`, `with`, `outputs`).
[[nodiscard]] std::optional<Node> optional_mapping(ParseContext& ctx, const Node& map, std::string_view key);

}  // namespace pipeline::workflow::detail
