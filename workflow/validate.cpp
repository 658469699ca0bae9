#include "workflow/validate.hpp"

#include <algorithm>
#include <cctype>

#include "workflow/validate_expressions.hpp"
#include "workflow/validate_internal.hpp"

namespace pipeline::workflow {

namespace detail {

void report(std::vector<Diagnostic>& out, const SourceLocation& where, std::string message, std::string hint) {
  out.push_back({Severity::error, where, std::move(message), std::move(hint)});
}

}  // namespace detail

const std::vector<std::string>& known_events() {
  static const std::vector<std::string> events{
      "branch_protection_rule", "check_run", "check_suite", "create", "delete", "deployment",
      "deployment_status", "discussion", "discussion_comment", "fork", "gollum", "image_version", "issue_comment",
      "issues", "label", "merge_group", "milestone", "page_build", "project", "project_card",
      "project_column", "public", "pull_request", "pull_request_review", "pull_request_review_comment",
      "pull_request_target", "push", "registry_package", "release", "repository_dispatch", "schedule",
      "status", "watch", "workflow_call", "workflow_dispatch", "workflow_run"};
  return events;
}

bool is_valid_id(std::string_view id) {
  if (id.empty() || !(std::isalpha(static_cast<unsigned char>(id[0])) || id[0] == '_')) {
    return false;
  }
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

bool is_valid_shell(std::string_view shell) {
  static constexpr std::string_view k_builtins[] = {"bash", "sh", "pwsh", "python", "cmd", "powershell"};
  // The runner looks built-in names up ignoring case: `shell: Bash` is bash.
  std::string lower(shell);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(std::begin(k_builtins), std::end(k_builtins), lower) != std::end(k_builtins) ||
         shell.find("{0}") != std::string_view::npos || shell.find("${{") != std::string_view::npos;
}

std::vector<Diagnostic> validate(const Workflow& wf) {
  std::vector<Diagnostic> out;
  detail::validate_triggers(wf, out);
  detail::validate_jobs(wf, out);
  detail::validate_needs(wf, out);
  auto expressions = validate_expressions(wf);
  out.insert(out.end(), std::make_move_iterator(expressions.begin()), std::make_move_iterator(expressions.end()));
  // Report in source order so the output reads top to bottom like the file.
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
  });
  return out;
}

}  // namespace pipeline::workflow
