// Checks of `on:`: event names, filter patterns, cron lines, dispatch and call inputs.
#include <algorithm>
#include <cstdlib>
#include <map>

#include "workflow/activity_types.hpp"
#include "workflow/filters/cron.hpp"
#include "workflow/filters/glob.hpp"
#include "workflow/filters/timezone.hpp"
#include "workflow/parse_context.hpp"
#include "workflow/validate.hpp"
#include "workflow/validate_internal.hpp"

namespace pipeline::workflow::detail {
namespace {

using Filter = std::optional<std::vector<Located<std::string>>>;

void check_patterns(const Filter& patterns, std::string_view key, std::vector<Diagnostic>& out) {
  if (!patterns) {
    return;
  }
  for (const auto& pattern : *patterns) {
    if (auto problem = filters::validate_glob(pattern.value)) {
      report(out, pattern.where, "invalid pattern '" + pattern.value + "' in '" + std::string(key) + "': " + *problem);
    }
  }
}

void check_exclusive(const Trigger& trigger, const Filter& positive, const Filter& negative, std::string_view key,
                     std::vector<Diagnostic>& out) {
  if (positive && negative) {
    const SourceLocation where = negative->empty() ? trigger.event.where : negative->front().where;
    report(out, where,
           "event '" + trigger.event.value + "' uses both '" + std::string(key) + "' and '" + std::string(key) +
               "-ignore'",
           "use one of them; for exceptions, put '!pattern' entries in '" + std::string(key) + "'");
  }
}

void check_filters(const Trigger& trigger, std::vector<Diagnostic>& out) {
  const EventFilters& f = trigger.filters;
  check_patterns(f.branches, "branches", out);
  check_patterns(f.branches_ignore, "branches-ignore", out);
  check_patterns(f.tags, "tags", out);
  check_patterns(f.tags_ignore, "tags-ignore", out);
  check_patterns(f.paths, "paths", out);
  check_patterns(f.paths_ignore, "paths-ignore", out);
  check_exclusive(trigger, f.branches, f.branches_ignore, "branches", out);
  check_exclusive(trigger, f.tags, f.tags_ignore, "tags", out);
  check_exclusive(trigger, f.paths, f.paths_ignore, "paths", out);
}

void check_crons(const Trigger& trigger, std::vector<Diagnostic>& out) {
  for (const auto& cron : trigger.crons) {
    if (auto problem = filters::validate_cron(cron.value)) {
      report(out, cron.where, "invalid cron '" + cron.value + "': " + *problem,
             "five fields: minute hour day-of-month month day-of-week, e.g. '30 5 * * 1'");
    }
  }
  if (trigger.event.value == "schedule" && trigger.crons.empty()) {
    report(out, trigger.event.where, "'schedule' lists no 'cron' entries");
  }
}

void check_timezones(const Trigger& trigger, std::vector<Diagnostic>& out) {
  for (const auto& zone : trigger.timezones) {
    if (auto problem = filters::validate_timezone(zone.value)) {
      const std::string near = closest_match(zone.value, filters::sibling_timezones(zone.value));
      report(out, zone.where, "invalid timezone '" + zone.value + "': " + *problem,
             near.empty() ? "use an IANA name such as 'Europe/Berlin', 'America/New_York' or 'UTC'"
                          : "did you mean '" + near + "'?");
    }
  }
}

std::string joined(const std::vector<std::string>& words) {
  std::string list;
  for (const auto& word : words) {
    list += (list.empty() ? "" : ", ") + word;
  }
  return list;
}

void check_types(const Trigger& trigger, std::vector<Diagnostic>& out) {
  const auto allowed = activity_types(trigger.event.value);
  if (!trigger.filters.types || !allowed || trigger.filters.types->empty()) {
    return;
  }
  if (allowed->empty()) {
    report(out, trigger.filters.types->front().where,
           "event '" + trigger.event.value + "' has no activity types", "remove 'types'");
    return;
  }
  for (const auto& type : *trigger.filters.types) {
    if (std::find(allowed->begin(), allowed->end(), type.value) != allowed->end()) {
      continue;
    }
    const std::string near = closest_match(type.value, *allowed);
    report(out, type.where, "unknown activity type '" + type.value + "' for event '" + trigger.event.value + "'",
           near.empty() ? "use one of: " + joined(*allowed) : "did you mean '" + near + "'?");
  }
}

bool is_number_text(const std::string& text) {
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size();
}

// A default GitHub would have to convert: a called workflow's boolean takes only true or false;
// a dispatch form also takes the strings 'true' and 'false', which is how the form sends them.
void check_default_type(const Trigger& trigger, const InputSpec& input, std::vector<Diagnostic>& out) {
  if (!input.default_value || input.default_value->is_null()) {
    return;
  }
  const Node& value = *input.default_value;
  const std::string what = "default of " + input.type + " input '" + input.name + "'";
  if (!value.is_scalar()) {
    report(out, value.where, what + " must be a string, a number or a boolean, not a list or mapping");
    return;
  }
  if (value.kind == Node::Kind::string && contains_expression(value.scalar)) {
    return;
  }
  const bool dispatch = trigger.event.value == "workflow_dispatch";
  if (input.type == "boolean" && value.kind != Node::Kind::boolean &&
      !(dispatch && (value.scalar == "true" || value.scalar == "false"))) {
    report(out, value.where, what + " must be true or false, not '" + value.scalar + "'");
  } else if (input.type == "number" && value.kind != Node::Kind::number &&
             !(value.kind == Node::Kind::string && is_number_text(value.scalar))) {
    report(out, value.where, what + " must be a number, not '" + value.scalar + "'");
  }
}

void check_input(const Trigger& trigger, const InputSpec& input, std::vector<Diagnostic>& out) {
  const bool dispatch = trigger.event.value == "workflow_dispatch";
  const std::vector<std::string> types = dispatch
                                             ? std::vector<std::string>{"string", "boolean", "number", "choice", "environment"}
                                             : std::vector<std::string>{"string", "boolean", "number"};
  if (std::find(types.begin(), types.end(), input.type) == types.end()) {
    const std::string near = closest_match(input.type, types);
    const std::string list = joined(types);
    report(out, input.where, "input '" + input.name + "' of '" + trigger.event.value + "' has unknown type '" +
                                 input.type + "'",
           near.empty() ? "use one of: " + list : "did you mean '" + near + "'?");
  }
  check_default_type(trigger, input, out);
  if (input.type == "choice" && input.options.empty()) {
    report(out, input.where, "input '" + input.name + "' is a 'choice' but has no 'options'");
  }
  if (input.type == "choice" && input.default_value && input.default_value->is_scalar() &&
      std::find(input.options.begin(), input.options.end(), input.default_value->scalar) == input.options.end()) {
    report(out, input.default_value->where,
           "default '" + input.default_value->scalar + "' of input '" + input.name + "' is not one of its options");
  }
}

void check_event_name(const Trigger& trigger, std::vector<Diagnostic>& out) {
  const auto& events = known_events();
  if (std::find(events.begin(), events.end(), trigger.event.value) != events.end()) {
    return;
  }
  // Names people reach for that GitHub spells differently.
  static const std::map<std::string, std::string> k_aliases{{"pull_request_comment", "issue_comment"},
                                                           {"pr", "pull_request"},
                                                           {"tag", "push"},
                                                           {"cron", "schedule"},
                                                           {"manual", "workflow_dispatch"}};
  std::string hint = "see the list of events that trigger workflows in GitHub's documentation";
  if (const auto alias = k_aliases.find(trigger.event.value); alias != k_aliases.end()) {
    hint = "use '" + alias->second + "'";
  } else if (const std::string near = closest_match(trigger.event.value, events); !near.empty()) {
    hint = "did you mean '" + near + "'?";
  }
  report(out, trigger.event.where, "unknown event '" + trigger.event.value + "'", hint);
}

}  // namespace

void validate_triggers(const Workflow& wf, std::vector<Diagnostic>& out) {
  for (const auto& trigger : wf.on) {
    check_event_name(trigger, out);
    check_filters(trigger, out);
    check_crons(trigger, out);
    check_timezones(trigger, out);
    check_types(trigger, out);
    for (const auto& input : trigger.inputs) {
      check_input(trigger, input, out);
    }
  }
}

}  // namespace pipeline::workflow::detail
