#include "workflow/plan/triggers.hpp"

#include <algorithm>

#include "workflow/filters/glob.hpp"

namespace pipeline::workflow::plan {
namespace {

using Patterns = std::optional<std::vector<Located<std::string>>>;

constexpr std::string_view k_heads = "refs/heads/";
constexpr std::string_view k_tags = "refs/tags/";
constexpr std::size_t k_max_diff_files = 300;

struct RefName {
  bool is_tag = false;
  std::string name;
};

RefName parse_ref(std::string_view ref) {
  if (ref.substr(0, k_tags.size()) == k_tags) {
    return {true, std::string(ref.substr(k_tags.size()))};
  }
  if (ref.substr(0, k_heads.size()) == k_heads) {
    return {false, std::string(ref.substr(k_heads.size()))};
  }
  return {false, std::string(ref)};
}

std::vector<std::string> texts(const std::vector<Located<std::string>>& located) {
  std::vector<std::string> result;
  result.reserve(located.size());
  for (const auto& item : located) {
    result.push_back(item.value);
  }
  return result;
}

std::string list_text(const std::vector<std::string>& items) {
  std::string text = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    text += (i == 0 ? "" : ", ") + items[i];
  }
  return text + "]";
}

std::string filter_text(std::string_view key, const std::vector<Located<std::string>>& patterns) {
  return std::string(key) + ": " + list_text(texts(patterns));
}

TriggerMatch no(std::string reason) {
  return {false, std::move(reason)};
}

// An invalid pattern is reported by validation; here its list simply matches nothing.
filters::FilterList compile(const std::vector<Located<std::string>>& patterns) {
  auto list = filters::FilterList::compile(texts(patterns));
  return list ? std::move(list.value()) : filters::FilterList{};
}

bool list_matches(const std::vector<Located<std::string>>& patterns, std::string_view value) {
  return compile(patterns).matches(value);
}

// `include` (e.g. branches) and `ignore` (branches-ignore) applied to one name.
std::optional<TriggerMatch> check_name_filters(const Patterns& include, std::string_view include_key,
                                               const Patterns& ignore, std::string_view ignore_key,
                                               const std::string& subject, std::string_view name) {
  if (include && !list_matches(*include, name)) {
    return no(subject + " does not match " + filter_text(include_key, *include));
  }
  if (ignore && list_matches(*ignore, name)) {
    return no(subject + " matches " + filter_text(ignore_key, *ignore));
  }
  return std::nullopt;
}

// push: a ref kind (branch or tag) with no filter of its own is excluded when the other kind
// has filters, and included when neither has.
std::optional<TriggerMatch> check_push_ref(const EventFilters& f, const Event& event) {
  const RefName ref = parse_ref(event.ref);
  const bool branch_filters = f.branches || f.branches_ignore;
  const bool tag_filters = f.tags || f.tags_ignore;
  if (ref.is_tag) {
    const std::string subject = "push of tag '" + ref.name + "'";
    if (!tag_filters && branch_filters) {
      return no(subject + " does not run: the push trigger filters branches and lists no tags");
    }
    return check_name_filters(f.tags, "tags", f.tags_ignore, "tags-ignore", subject, ref.name);
  }
  const std::string subject = "push to branch '" + ref.name + "'";
  if (!branch_filters && tag_filters) {
    return no(subject + " does not run: the push trigger filters tags and lists no branches");
  }
  return check_name_filters(f.branches, "branches", f.branches_ignore, "branches-ignore", subject,
                            ref.name);
}

std::optional<TriggerMatch> check_pull_request_base(const EventFilters& f, const Event& event) {
  if (event.base_ref.empty()) {
    return std::nullopt;
  }
  const std::string base = parse_ref(event.base_ref).name;
  return check_name_filters(f.branches, "branches", f.branches_ignore, "branches-ignore",
                            event.name + " into branch '" + base + "'", base);
}

std::optional<TriggerMatch> check_workflow_run(const EventFilters& f, const Event& event) {
  if (f.workflows && !event.workflow_name.empty() &&
      std::none_of(f.workflows->begin(), f.workflows->end(),
                   [&](const auto& w) { return w.value == event.workflow_name; })) {
    return no("workflow_run of '" + event.workflow_name + "' does not match " +
              filter_text("workflows", *f.workflows));
  }
  if (event.ref.empty()) {
    return std::nullopt;
  }
  const std::string branch = parse_ref(event.ref).name;
  return check_name_filters(f.branches, "branches", f.branches_ignore, "branches-ignore",
                            "workflow_run on branch '" + branch + "'", branch);
}

std::optional<TriggerMatch> check_ref(const EventFilters& f, const Event& event) {
  if (event.name == "push") {
    return check_push_ref(f, event);
  }
  if (event.name == "pull_request" || event.name == "pull_request_target") {
    return check_pull_request_base(f, event);
  }
  if (event.name == "workflow_run") {
    return check_workflow_run(f, event);
  }
  return std::nullopt;
}

std::optional<TriggerMatch> check_types(const Trigger& trigger, const Event& event) {
  if (event.action.empty()) {
    return std::nullopt;
  }
  const bool listed = trigger.filters.types.has_value();
  const auto types = listed ? texts(*trigger.filters.types) : default_activity_types(event.name);
  if (types.empty() || std::find(types.begin(), types.end(), event.action) != types.end()) {
    return std::nullopt;
  }
  const std::string subject = event.name + " activity '" + event.action + "'";
  if (listed) {
    return no(subject + " is not in types: " + list_text(types));
  }
  return no(subject + " is not one of the default types " + list_text(types) +
            " (the trigger lists no types)");
}

bool uses_paths(const Event& event) {
  if (event.name == "push") {
    return !parse_ref(event.ref).is_tag;  // GitHub does not evaluate path filters for tags
  }
  return event.name == "pull_request" || event.name == "pull_request_target";
}

std::optional<TriggerMatch> check_paths(const EventFilters& f, const Event& event) {
  if (!event.changed_files || !uses_paths(event)) {
    return std::nullopt;
  }
  // GitHub evaluates path filters on the first 300 files of the diff only.
  const auto& all_files = *event.changed_files;
  const std::vector<std::string> files(
      all_files.begin(), all_files.begin() + static_cast<std::ptrdiff_t>(
                                                std::min(all_files.size(), k_max_diff_files)));
  if (f.paths) {
    const auto paths = compile(*f.paths);
    if (std::none_of(files.begin(), files.end(), [&](const auto& file) { return paths.matches(file); })) {
      return no("no changed file matches " + filter_text("paths", *f.paths));
    }
  }
  if (!f.paths_ignore) {
    return std::nullopt;
  }
  // paths-ignore: the workflow runs as long as one changed file is not ignored.
  const auto ignored = compile(*f.paths_ignore);
  if (std::all_of(files.begin(), files.end(), [&](const auto& file) { return ignored.matches(file); })) {
    return no(files.empty() ? "no file changed, and the trigger has paths-ignore"
                            : "every changed file matches " +
                                  filter_text("paths-ignore", *f.paths_ignore));
  }
  return std::nullopt;
}

std::string describe(const Event& event) {
  if (event.name == "push" && !event.ref.empty()) {
    const RefName ref = parse_ref(event.ref);
    return ref.is_tag ? "push of tag '" + ref.name + "'" : "push to branch '" + ref.name + "'";
  }
  return event.action.empty() ? event.name : event.name + " (" + event.action + ")";
}

}  // namespace

std::vector<std::string> default_activity_types(std::string_view event_name) {
  if (event_name == "pull_request" || event_name == "pull_request_target") {
    return {"opened", "synchronize", "reopened"};
  }
  return {};
}

TriggerMatch match_trigger(const Workflow& workflow, const Event& event) {
  const Trigger* trigger = workflow.find_trigger(event.name);
  if (trigger == nullptr) {
    return no("workflow has no '" + event.name + "' trigger");
  }
  // Filters combine with AND: the first one that fails explains the skip.
  if (auto types = check_types(*trigger, event)) {
    return *types;
  }
  if (auto ref = check_ref(trigger->filters, event)) {
    return *ref;
  }
  if (auto paths = check_paths(trigger->filters, event)) {
    return *paths;
  }
  return {true, describe(event) + " matches the workflow's '" + event.name + "' trigger"};
}

std::string select_default_event(const Workflow& workflow) {
  if (workflow.find_trigger("push") != nullptr) {
    return "push";
  }
  return workflow.on.empty() ? std::string() : workflow.on.front().event.value;
}

}  // namespace pipeline::workflow::plan
