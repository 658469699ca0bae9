#include "workflow/permissions.hpp"

#include <algorithm>
#include <string>

#include "workflow/parse_context.hpp"

namespace pipeline::workflow {

namespace {

std::size_t scope_index(std::string_view scope) {
  return static_cast<std::size_t>(std::find(k_token_scopes.begin(), k_token_scopes.end(), scope) -
                                  k_token_scopes.begin());
}

std::optional<PermissionLevel> parse_level(std::string_view text) {
  if (text == "none") {
    return PermissionLevel::none;
  }
  if (text == "read") {
    return PermissionLevel::read;
  }
  if (text == "write") {
    return PermissionLevel::write;
  }
  return std::nullopt;
}

/// Every scope at `level`, except `models`, which GitHub never grants beyond read.
TokenPermissions all_at(PermissionLevel level) {
  TokenPermissions out;
  out.levels.fill(level);
  out.set("models", std::min(level, PermissionLevel::read));
  return out;
}

/// The scopes where `requested` exceeds `allowed`, as GitHub lists them: what was asked
/// ("contents: write, packages: write") and what was allowed ("contents: read, packages: none").
std::pair<std::string, std::string> excess(const TokenPermissions& requested, const TokenPermissions& allowed) {
  std::string asked;
  std::string granted;
  for (std::size_t i = 0; i < k_token_scopes.size(); ++i) {
    if (requested.levels[i] <= allowed.levels[i]) {
      continue;
    }
    const std::string separator = asked.empty() ? "" : ", ";
    asked += separator + std::string(k_token_scopes[i]) + ": " + std::string(to_string(requested.levels[i]));
    granted += separator + std::string(k_token_scopes[i]) + ": " + std::string(to_string(allowed.levels[i]));
  }
  return {asked, granted};
}

void check_one(std::vector<Diagnostic>& out, const TokenPermissions& allowed, const Node& permissions,
               const SourceLocation& key, const std::string& who, std::string_view call_ref) {
  const auto requested = token_permissions(permissions);
  if (!requested) {
    return;  // decided by an expression: only the run knows
  }
  const auto [asked, granted] = excess(*requested, allowed);
  if (asked.empty()) {
    return;
  }
  Diagnostic d;
  d.where = key.line > 0 ? key : permissions.where;
  d.message = "Error calling workflow '" + std::string(call_ref) + "'. " + who + " is requesting '" + asked +
              "', but is only allowed '" + granted + "'.";
  d.hint = "a called workflow can keep or reduce the caller job's permissions, not raise them: grant them to the "
           "calling job";
  out.push_back(std::move(d));
}

}  // namespace

PermissionLevel TokenPermissions::level(std::string_view scope) const {
  const std::size_t i = scope_index(scope);
  return i < levels.size() ? levels[i] : PermissionLevel::none;
}

void TokenPermissions::set(std::string_view scope, PermissionLevel level) {
  if (const std::size_t i = scope_index(scope); i < levels.size()) {
    levels[i] = level;
  }
}

TokenPermissions default_token_permissions() {
  return all_at(PermissionLevel::write);
}

std::optional<TokenPermissions> token_permissions(const Node& permissions) {
  if (permissions.is_null()) {
    return TokenPermissions{};
  }
  if (permissions.is_scalar()) {
    if (permissions.scalar == "read-all") {
      return all_at(PermissionLevel::read);
    }
    if (permissions.scalar == "write-all") {
      return all_at(PermissionLevel::write);
    }
    return std::nullopt;  // an expression (anything else was reported when the file loaded)
  }
  TokenPermissions out;
  for (const auto& entry : permissions.entries) {
    if (detail::is_whole_expression(entry.value.scalar)) {
      return std::nullopt;
    }
    out.set(entry.key, parse_level(entry.value.scalar).value_or(PermissionLevel::none));
  }
  return out;
}

std::optional<TokenPermissions> caller_permissions(const Workflow& caller, const Job& job,
                                                   const TokenPermissions& inherited) {
  if (job.permissions) {
    return token_permissions(*job.permissions);
  }
  if (caller.permissions) {
    return token_permissions(*caller.permissions);
  }
  return inherited;
}

std::string_view to_string(PermissionLevel level) {
  switch (level) {
    case PermissionLevel::none: return "none";
    case PermissionLevel::read: return "read";
    case PermissionLevel::write: return "write";
  }
  return "none";
}

std::vector<Diagnostic> check_called_permissions(const TokenPermissions& allowed, const Workflow& called,
                                                 std::string_view call_ref) {
  std::vector<Diagnostic> out;
  if (called.permissions) {
    check_one(out, allowed, *called.permissions, called.permissions_key, "The workflow", call_ref);
  }
  for (const auto& job : called.jobs) {
    if (job.permissions) {
      check_one(out, allowed, *job.permissions, job.permissions_key, "The nested job '" + job.id.value + "'",
                call_ref);
    }
  }
  return out;
}

}  // namespace pipeline::workflow
