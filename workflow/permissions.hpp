#pragma once
// GITHUB_TOKEN permissions as levels per scope, and GitHub's rule for reusable workflows: a
// called workflow may keep or reduce what its caller job holds, never raise it.
#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "workflow/diagnostic.hpp"
#include "workflow/model.hpp"

namespace pipeline::workflow {

/// The access a token has to one scope; each level includes the ones before it.
enum class PermissionLevel { none, read, write };

/// The scopes pipe knows, in the order GitHub lists them in its errors.
inline constexpr std::array<std::string_view, 16> k_token_scopes{
    "actions", "artifact-metadata", "attestations", "checks", "contents", "deployments",
    "discussions", "issues",   "packages",        "pages",           "pull-requests",
    "repository-projects",     "statuses",        "security-events", "id-token", "models"};

/// A level for every scope of k_token_scopes.
struct TokenPermissions {
  std::array<PermissionLevel, k_token_scopes.size()> levels{};  // all none

  /// The level of `scope` (none for a scope pipe does not know).
  [[nodiscard]] PermissionLevel level(std::string_view scope) const;
  /// Sets the level of `scope`; unknown scopes are ignored.
  void set(std::string_view scope, PermissionLevel level);
};

/// What a job holds when no `permissions` is written anywhere above it: GitHub's permissive
/// repository default (write to every scope, read for `models`).
[[nodiscard]] TokenPermissions default_token_permissions();

/// A `permissions` value: `read-all`, `write-all`, `{}` or a mapping (unwritten scopes are
/// none). Nullopt when an expression decides it, so it is only known at run time.
[[nodiscard]] std::optional<TokenPermissions> token_permissions(const Node& permissions);

/// What a caller job hands to the workflow it calls: its own `permissions`, else its
/// workflow's, else `inherited` (the default, or what its own caller allowed). Nullopt when
/// an expression decides it.
[[nodiscard]] std::optional<TokenPermissions> caller_permissions(const Workflow& caller, const Job& job,
                                                                 const TokenPermissions& inherited);

/// `none`, `read` or `write`.
[[nodiscard]] std::string_view to_string(PermissionLevel level);

/// One error per `permissions` of `called` (its top level, then each job) that asks for more
/// than `allowed`, worded as GitHub words it and placed at that `permissions` key. `call_ref`
/// is the caller's `uses:` text.
[[nodiscard]] std::vector<Diagnostic> check_called_permissions(const TokenPermissions& allowed, const Workflow& called,
                                                               std::string_view call_ref);

}  // namespace pipeline::workflow
