#pragma once
// Does this event start this workflow? GitHub's rules for `on:` filters, with the reason why not.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/model.hpp"

namespace pipeline::workflow::plan {

/// The event being simulated, reduced to what trigger filters look at.
struct Event {
  std::string name;    // push, pull_request, workflow_dispatch, ...
  std::string action;  // activity type (opened, closed, ...); empty: `types` are not checked
  std::string ref;     // refs/heads/<branch> or refs/tags/<tag> (a bare name means a branch)
  std::string base_ref;  // pull_request*: the target branch; empty: branch filters not checked
  std::optional<std::vector<std::string>> changed_files;  // nullopt: path filters not checked
  std::string workflow_name;  // workflow_run: the name of the workflow that completed
};

/// Whether the workflow runs for the event, and a sentence saying why (or why not).
struct TriggerMatch {
  bool runs = false;
  std::string reason;
};

/// Applies the workflow's trigger for `event.name`: activity types, branch/tag filters
/// (pull requests match their base branch), path filters and workflow_run's `workflows`.
[[nodiscard]] TriggerMatch match_trigger(const Workflow& workflow, const Event& event);

/// The activity types an event runs for when its trigger lists no `types`
/// (empty: every activity type).
[[nodiscard]] std::vector<std::string> default_activity_types(std::string_view event_name);

/// The event to simulate when the user names none: `push` if the workflow has it, else its
/// first trigger, else empty.
[[nodiscard]] std::string select_default_event(const Workflow& workflow);

}  // namespace pipeline::workflow::plan
