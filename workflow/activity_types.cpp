#include "workflow/activity_types.hpp"

#include <map>

namespace pipeline::workflow {
namespace {

using Types = std::vector<std::string>;

const Types& pull_request_types() {
  static const Types types{"assigned",          "unassigned",         "labeled",          "unlabeled",
                           "opened",            "edited",             "closed",           "reopened",
                           "synchronize",       "converted_to_draft", "locked",           "unlocked",
                           "enqueued",          "dequeued",           "milestoned",       "demilestoned",
                           "ready_for_review",  "review_requested",   "review_request_removed",
                           "auto_merge_enabled", "auto_merge_disabled"};
  return types;
}

const std::map<std::string, Types, std::less<>>& table() {
  static const Types created_edited_deleted{"created", "edited", "deleted"};
  static const std::map<std::string, Types, std::less<>> types{
      {"branch_protection_rule", created_edited_deleted},
      {"check_run", {"created", "rerequested", "completed", "requested_action"}},
      {"check_suite", {"completed"}},
      {"discussion",
       {"created", "edited", "deleted", "transferred", "pinned", "unpinned", "labeled", "unlabeled", "locked",
        "unlocked", "category_changed", "answered", "unanswered"}},
      {"discussion_comment", created_edited_deleted},
      {"image_version", {"created", "ready", "deleted"}},
      {"issue_comment", created_edited_deleted},
      {"issues",
       {"opened", "edited", "deleted", "transferred", "pinned", "unpinned", "closed", "reopened", "assigned",
        "unassigned", "labeled", "unlabeled", "locked", "unlocked", "milestoned", "demilestoned", "typed",
        "untyped"}},
      {"label", created_edited_deleted},
      {"merge_group", {"checks_requested", "destroyed"}},
      {"milestone", {"created", "closed", "opened", "edited", "deleted"}},
      {"project", {"created", "closed", "reopened", "edited", "deleted"}},
      {"project_card", {"created", "moved", "converted", "edited", "deleted"}},
      {"project_column", {"created", "updated", "moved", "deleted"}},
      {"pull_request", pull_request_types()},
      {"pull_request_target", pull_request_types()},
      {"pull_request_review", {"submitted", "edited", "dismissed"}},
      {"pull_request_review_comment", created_edited_deleted},
      {"registry_package", {"published", "updated"}},
      {"release", {"published", "unpublished", "created", "edited", "deleted", "prereleased", "released"}},
      {"watch", {"started"}},
      {"workflow_run", {"completed", "requested", "in_progress"}},
  };
  return types;
}

}  // namespace

std::optional<std::vector<std::string>> activity_types(std::string_view event) {
  if (event == "repository_dispatch") {
    return std::nullopt;
  }
  const auto& types = table();
  const auto it = types.find(event);
  return it == types.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace pipeline::workflow
