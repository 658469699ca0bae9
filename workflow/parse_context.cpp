#include "workflow/parse_context.hpp"

#include <algorithm>

#include "workflow/yaml_node.hpp"

namespace pipeline::workflow::detail {
namespace {

constexpr std::string_view k_workflow_keys[] = {"name", "run-name", "on", "permissions", "env",
                                                "defaults", "concurrency", "jobs"};
constexpr std::string_view k_job_keys[] = {
    "name",     "needs",           "if",       "runs-on",   "environment", "outputs", "env",
    "defaults", "timeout-minutes", "continue-on-error",     "strategy",    "container", "services",
    "steps",    "concurrency",     "permissions", "uses",   "with",        "secrets"};
constexpr std::string_view k_step_keys[] = {"id",  "name", "if",   "uses", "run", "shell",
                                            "with", "env", "working-directory",
                                            "continue-on-error", "timeout-minutes", "background",
                                            "wait", "wait-all", "cancel", "parallel"};

template <std::size_t N>
bool contains(const std::string_view (&keys)[N], std::string_view key) {
  return std::find(std::begin(keys), std::end(keys), key) != std::end(keys);
}

// A key that is valid one level up or down is far more likely misplaced than misspelt.
std::string misplaced_hint(std::string_view key, Place place) {
  if (place != Place::job && contains(k_job_keys, key) && !contains(k_step_keys, key)) {
    return single_quoted(key) + " belongs to a job (under 'jobs.<job-id>')";
  }
  if (place != Place::step && contains(k_step_keys, key) && !contains(k_job_keys, key)) {
    return single_quoted(key) + " belongs to a step (under 'steps:')";
  }
  if (place != Place::workflow && contains(k_workflow_keys, key) && !contains(k_job_keys, key)) {
    return single_quoted(key) + " belongs at the top level of the workflow";
  }
  return "";
}

}  // namespace

std::string single_quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

bool is_whole_expression(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  const auto last = text.find_last_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return false;
  }
  const std::string_view trimmed = text.substr(first, last - first + 1);
  return trimmed.size() >= 5 && trimmed.substr(0, 3) == "${{" && trimmed.substr(trimmed.size() - 2) == "}}";
}

bool contains_expression(std::string_view text) {
  return text.find("${{") != std::string_view::npos;
}

void ParseContext::error(const SourceLocation& where, std::string message, std::string hint) {
  m_diagnostics.push_back({Severity::error, where, std::move(message), std::move(hint)});
}

void ParseContext::check_keys(const Node& map, std::initializer_list<std::string_view> allowed,
                              std::string_view what, Place place) {
  check_keys(map, std::span<const std::string_view>(allowed.begin(), allowed.size()), what, place);
}

void ParseContext::check_keys(const Node& map, std::span<const std::string_view> allowed, std::string_view what,
                              Place place) {
  const std::vector<std::string> candidates(allowed.begin(), allowed.end());
  for (const auto& entry : map.entries) {
    if (std::find(allowed.begin(), allowed.end(), entry.key) != allowed.end()) {
      continue;
    }
    std::string hint;
    if (const std::string near = closest_match(entry.key, candidates); !near.empty()) {
      hint = "did you mean " + single_quoted(near) + "?";
    } else {
      hint = misplaced_hint(entry.key, place);
    }
    if (hint.empty()) {
      std::string list;
      for (const auto& key : allowed) {
        list += (list.empty() ? "" : ", ") + std::string(key);
      }
      hint = "expected one of: " + list;
    }
    error(entry.key_where, "unknown key " + single_quoted(entry.key) + " in " + std::string(what), hint);
  }
}

bool ParseContext::expect_mapping(const Node& node, std::string_view what) {
  if (node.is_mapping()) {
    return true;
  }
  error(node.where, std::string(what) + " must be a mapping, not " + std::string(describe_kind(node.kind)));
  return false;
}

std::optional<Located<std::string>> ParseContext::string_of(const Node& node, std::string_view what) {
  if (node.is_scalar()) {
    return Located<std::string>{node.scalar, node.where};
  }
  error(node.where, std::string(what) + " must be a string, not " + std::string(describe_kind(node.kind)));
  return std::nullopt;
}

std::vector<Located<std::string>> ParseContext::string_list(const Node& node, std::string_view what) {
  std::vector<Located<std::string>> out;
  if (node.is_scalar()) {
    out.push_back({node.scalar, node.where});
    return out;
  }
  if (!node.is_sequence()) {
    error(node.where, std::string(what) + " must be a string or a list of strings, not " +
                          std::string(describe_kind(node.kind)));
    return out;
  }
  for (const auto& item : node.items) {
    if (auto text = string_of(item, std::string("each entry of ") + std::string(what))) {
      out.push_back(std::move(*text));
    }
  }
  return out;
}

std::optional<Node> ParseContext::boolean_or_expression(const Node& node, std::string_view what) {
  if (node.kind == Node::Kind::boolean ||
      (node.kind == Node::Kind::string && is_whole_expression(node.scalar))) {
    return node;
  }
  error(node.where, std::string(what) + " must be a boolean (true or false) or an expression, not " +
                        std::string(describe_kind(node.kind)));
  return std::nullopt;
}

std::optional<Node> ParseContext::number_or_expression(const Node& node, std::string_view what) {
  if (node.kind == Node::Kind::number ||
      (node.kind == Node::Kind::string && is_whole_expression(node.scalar))) {
    return node;
  }
  error(node.where, std::string(what) + " must be a number or an expression, not " +
                        std::string(describe_kind(node.kind)));
  return std::nullopt;
}

std::optional<Node> ParseContext::mapping_or_expression(const Node& node, std::string_view what) {
  if (node.is_mapping() || (node.kind == Node::Kind::string && is_whole_expression(node.scalar))) {
    return node;
  }
  error(node.where, std::string(what) + " must be a mapping or an expression, not " +
                        std::string(describe_kind(node.kind)));
  return std::nullopt;
}

}  // namespace pipeline::workflow::detail
