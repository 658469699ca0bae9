#pragma once
// Internal to the loader: diagnostics collection and typed reads of Nodes.
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/diagnostic.hpp"
#include "workflow/model.hpp"

namespace pipeline::workflow::detail {

/// Where a mapping sits, for messages ("in job 'build'") and for misplaced-key hints.
enum class Place { workflow, job, step, other };

/// Collects diagnostics while the parse functions walk a document.
class ParseContext {
public:
  explicit ParseContext(std::vector<Diagnostic>& diagnostics) : m_diagnostics(diagnostics) {}

  /// Records an error at `where`.
  void error(const SourceLocation& where, std::string message, std::string hint = "");

  /// Reports each key of `map` not in `allowed`, with a "did you mean" or misplaced hint.
  void check_keys(const Node& map, std::initializer_list<std::string_view> allowed, std::string_view what,
                  Place place = Place::other);
  /// The same, for a list of keys kept elsewhere (a table the parser also uses for other checks).
  void check_keys(const Node& map, std::span<const std::string_view> allowed, std::string_view what,
                  Place place = Place::other);

  /// True when `node` is a mapping; otherwise reports "`what` must be a mapping".
  bool expect_mapping(const Node& node, std::string_view what);

  /// A scalar as text (numbers and booleans as written); reports other kinds.
  std::optional<Located<std::string>> string_of(const Node& node, std::string_view what);

  /// A string or a sequence of strings (the forms `needs:`, `branches:`, ... accept).
  std::vector<Located<std::string>> string_list(const Node& node, std::string_view what);

  /// A boolean, or an expression string.
  std::optional<Node> boolean_or_expression(const Node& node, std::string_view what);

  /// A number, or an expression string.
  std::optional<Node> number_or_expression(const Node& node, std::string_view what);

  /// A mapping, or an expression string.
  std::optional<Node> mapping_or_expression(const Node& node, std::string_view what);

private:
  std::vector<Diagnostic>& m_diagnostics;
};

/// True when `text` is a single `${{ ... }}` (possibly with surrounding whitespace).
[[nodiscard]] bool is_whole_expression(std::string_view text);

/// True when `text` contains `${{`.
[[nodiscard]] bool contains_expression(std::string_view text);

/// `text` in single quotes, as messages quote keys and values.
[[nodiscard]] std::string single_quoted(std::string_view text);

}  // namespace pipeline::workflow::detail
