#pragma once
// Parsing one output line as a workflow command: `::name k=v,k=v::data` or `##[name k=v;k=v]data`.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipeline::runner::output {

/// Which of the two command syntaxes a line used.
enum class CommandSyntax { modern, legacy };

/// A workflow command as written, with its properties and data unescaped.
struct WorkflowCommand {
  std::string name;
  std::vector<std::pair<std::string, std::string>> properties;  // in order; a repeated key keeps its last value
  std::string data;
  CommandSyntax syntax = CommandSyntax::modern;

  /// The property's value, or nullptr when absent (keys are case-sensitive, as in the runner).
  [[nodiscard]] const std::string* property(std::string_view key) const;
};

/// The command on `line`, or nullopt when the line is not shaped like one.
[[nodiscard]] std::optional<WorkflowCommand> parse_workflow_command(std::string_view line);

/// The legacy `##[name k=v;k=v]data` command anywhere on `line`, ignoring the modern syntax.
[[nodiscard]] std::optional<WorkflowCommand> parse_legacy_command(std::string_view line);

/// Decodes `%0D` `%0A` `%25` in command data.
[[nodiscard]] std::string unescape_command_data(std::string_view data);

/// The legacy `##[name k=v;k=v]data` command anywhere on `line`, ignoring the modern syntax.
[[nodiscard]] std::optional<WorkflowCommand> parse_legacy_command(std::string_view line);

/// Decodes `%0D` `%0A` `%3A` `%2C` `%25` in a property value.
[[nodiscard]] std::string unescape_command_property(std::string_view value);

}  // namespace pipeline::runner::output
