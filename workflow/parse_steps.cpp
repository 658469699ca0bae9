// `steps:` lists, with GitHub's background steps: `background`, `wait`, `wait-all`, `cancel` and
// `parallel` groups.
#include "workflow/parse_internal.hpp"

namespace pipeline::workflow::detail {
namespace {

// `wait:` takes one id or a list of ids.
void read_wait(ParseContext& ctx, const Node& value, Step& step) {
  if (value.is_sequence()) {
    for (const auto& item : value.items) {
      if (auto id = ctx.string_of(item, "an id in 'wait'")) {
        step.wait.push_back(std::move(*id));
      }
    }
    if (value.items.empty()) {
      ctx.error(value.where, "'wait' needs the id of at least one background step");
    }
    return;
  }
  if (value.is_null()) {
    ctx.error(value.where, "'wait' needs the id of at least one background step",
              "to wait for every running background step, write 'wait-all: true'");
    return;
  }
  if (auto id = ctx.string_of(value, "'wait'")) {
    step.wait.push_back(std::move(*id));
  }
}

// The keys of a `parallel` group's member that would make it anything but a step run concurrently.
void check_member(ParseContext& ctx, const Node& node) {
  for (const std::string_view key : {"parallel", "wait", "wait-all", "cancel"}) {
    if (node.find(key) != nullptr) {
      ctx.error(node.key_location(key), "a step inside 'parallel' cannot have " + single_quoted(key),
                key == "parallel" ? "parallel groups cannot be nested" : "every member of a group runs a script or an action");
    }
  }
}

// The members become background steps; one more step, at the group's place, waits for them all.
void append_parallel(ParseContext& ctx, const Node& node, const std::string& owner, std::vector<Step>& out) {
  const Node& group = *node.find("parallel");
  const SourceLocation key = node.key_location("parallel");
  ctx.check_keys(node, {"parallel"}, "a 'parallel' group", Place::step);
  if (!group.is_sequence() || group.items.empty()) {
    ctx.error(group.is_null() ? key : group.where, "'parallel' must be a list of steps");
    return;
  }
  Step closing;
  closing.where = node.where;
  closing.parallel = key;
  for (const auto& member : group.items) {
    if (member.is_mapping()) {
      check_member(ctx, member);
      if (member.find("parallel") != nullptr) {
        continue;  // reported once, as a nested group
      }
    }
    Step step = read_step(ctx, member, out.size(), owner, StepList::job);
    step.background = true;
    step.parallel = key;
    closing.wait_indices.push_back(step.index);
    out.push_back(std::move(step));
  }
  closing.index = out.size();
  out.push_back(std::move(closing));
}

}  // namespace

void read_concurrency_keys(ParseContext& ctx, const Node& node, Step& step) {
  if (const Node* value = node.find("background")) {
    if (value->kind != Node::Kind::boolean) {
      ctx.error(value->where, "'background' must be true or false");
    } else {
      step.background = value->scalar == "true";
    }
  }
  if (const Node* value = node.find("wait")) {
    read_wait(ctx, *value, step);
  }
  if (const Node* value = node.find("wait-all")) {
    // `wait-all:` with no value means true, as GitHub reads it.
    if (value->kind == Node::Kind::boolean && value->scalar == "true") {
      step.wait_all = node.key_location("wait-all");
    } else if (value->is_null()) {
      step.wait_all = node.key_location("wait-all");
    } else {
      ctx.error(value->where, "'wait-all' must be true (or have no value)");
    }
  }
  step.cancel = optional_string(ctx, node, "cancel");
  if (const Node* value = node.find("cancel"); value && value->is_null()) {
    ctx.error(node.key_location("cancel"), "'cancel' needs the id of a background step");
  }
}

std::vector<Step> parse_steps(ParseContext& ctx, const Node& steps, const std::string& owner, StepList list) {
  std::vector<Step> out;
  if (!steps.is_sequence()) {
    ctx.error(steps.where, "'steps' of " + owner + " must be a list, not " + std::string(describe_kind(steps.kind)));
    return out;
  }
  for (const auto& item : steps.items) {
    if (list == StepList::job && item.is_mapping() && item.find("parallel") != nullptr) {
      append_parallel(ctx, item, owner, out);
    } else {
      out.push_back(read_step(ctx, item, out.size(), owner, list));
    }
  }
  return out;
}

}  // namespace pipeline::workflow::detail
