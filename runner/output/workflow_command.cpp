#include "runner/output/workflow_command.hpp"

namespace pipeline::runner::output {
namespace {

constexpr std::string_view k_modern_key = "::";
constexpr std::string_view k_legacy_prefix = "##[";
constexpr std::string_view k_whitespace = " \t\r\n\v\f";

using Replacements = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// The runner decodes with one ordinal Replace per escape, in this order, `%25` last; doing the
// same (rather than a single left-to-right pass) keeps `%250A` decoding exactly as GitHub's.
std::string replace_each(std::string_view text, Replacements replacements) {
  std::string out(text);
  for (const auto& [from, to] : replacements) {
    std::string next;
    std::size_t at = 0;
    for (auto pos = out.find(from); pos != std::string::npos; pos = out.find(from, at)) {
      next.append(out, at, pos - at);
      next.append(to);
      at = pos + from.size();
    }
    next.append(out, at);
    out = std::move(next);
  }
  return out;
}

std::string unescape_legacy(std::string_view value) {
  return replace_each(value, {{"%3B", ";"}, {"%0D", "\r"}, {"%0A", "\n"}, {"%5D", "]"}, {"%AZP25", "%"}});
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(k_whitespace);
  if (first == std::string_view::npos) {
    return {};
  }
  return s.substr(first, s.find_last_not_of(k_whitespace) - first + 1);
}

void set_property(WorkflowCommand& command, std::string key, std::string value) {
  for (auto& [k, v] : command.properties) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  command.properties.emplace_back(std::move(key), std::move(value));
}

// Entries without `=` or with an empty key or value are dropped, as the runner's split with
// RemoveEmptyEntries does.
template <class Unescape>
void parse_properties(std::string_view text, char separator, Unescape unescape, WorkflowCommand& command) {
  while (!text.empty()) {
    const auto end = text.find(separator);
    auto entry = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    const auto first = entry.find_first_not_of('=');
    if (first == std::string_view::npos) {
      continue;
    }
    entry.remove_prefix(first);
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos || eq + 1 == entry.size()) {
      continue;
    }
    set_property(command, std::string(entry.substr(0, eq)), unescape(entry.substr(eq + 1)));
  }
}

// Splits "name props" at the first space; an empty name is no command.
std::optional<WorkflowCommand> parse_info(std::string_view info, CommandSyntax syntax) {
  const auto space = info.find(' ');
  WorkflowCommand command;
  command.syntax = syntax;
  command.name = std::string(info.substr(0, space));
  if (command.name.empty()) {
    return std::nullopt;
  }
  if (space != std::string_view::npos) {
    if (syntax == CommandSyntax::modern) {
      parse_properties(trim(info.substr(space + 1)), ',', unescape_command_property, command);
    } else {
      parse_properties(info.substr(space + 1), ';', unescape_legacy, command);
    }
  }
  return command;
}

std::optional<WorkflowCommand> parse_modern(std::string_view line) {
  line = line.substr(std::min(line.size(), line.find_first_not_of(k_whitespace)));
  if (!line.starts_with(k_modern_key)) {
    return std::nullopt;
  }
  const auto end = line.find(k_modern_key, k_modern_key.size());
  if (end == std::string_view::npos) {
    return std::nullopt;
  }
  auto command = parse_info(line.substr(2, end - 2), CommandSyntax::modern);
  if (command) {
    command->data = unescape_command_data(line.substr(end + 2));
  }
  return command;
}

}  // namespace

std::optional<WorkflowCommand> parse_legacy_command(std::string_view line) {
  const auto prefix = line.find(k_legacy_prefix);
  if (prefix == std::string_view::npos) {
    return std::nullopt;
  }
  const auto bracket = line.find(']', prefix);
  if (bracket == std::string_view::npos) {
    return std::nullopt;
  }
  const auto start = prefix + k_legacy_prefix.size();
  auto command = parse_info(line.substr(start, bracket - start), CommandSyntax::legacy);
  if (command) {
    command->data = unescape_legacy(line.substr(bracket + 1));
  }
  return command;
}

const std::string* WorkflowCommand::property(std::string_view key) const {
  for (const auto& [k, v] : properties) {
    if (k == key) {
      return &v;
    }
  }
  return nullptr;
}

std::string unescape_command_data(std::string_view data) {
  return replace_each(data, {{"%0D", "\r"}, {"%0A", "\n"}, {"%25", "%"}});
}

std::string unescape_command_property(std::string_view value) {
  return replace_each(value, {{"%0D", "\r"}, {"%0A", "\n"}, {"%3A", ":"}, {"%2C", ","}, {"%25", "%"}});
}

std::optional<WorkflowCommand> parse_workflow_command(std::string_view line) {
  if (auto command = parse_modern(line)) {
    return command;
  }
  return parse_legacy_command(line);
}

}  // namespace pipeline::runner::output
