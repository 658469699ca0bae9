#include "runner/cli/completion.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>

namespace pipeline::runner::cli::completion {
namespace {

bool contains(const std::string& text, const char* word) { return text.find(word) != std::string::npos; }

/// CLI11 appends each check's description to the type name: IsMember's is "{a,b,c}".
std::vector<std::string> choices_of(const std::string& type_name) {
  const auto open = type_name.find('{');
  const auto close = type_name.find('}', open);
  if (open == std::string::npos || close == std::string::npos) {
    return {};
  }
  std::vector<std::string> choices;
  std::string item;
  for (char c : type_name.substr(open + 1, close - open - 1)) {
    if (c == ',') {
      choices.push_back(item);
      item.clear();
    } else if (c != ' ') {
      item += c;
    }
  }
  choices.push_back(item);
  return choices;
}

// The value kinds follow the names pipe gives its options, so a new `--foo-file` or `--job`
// completes files or job ids without a table to update.
ValueKind kind_of(const std::string& name, const std::vector<std::string>& choices) {
  if (!choices.empty()) {
    return ValueKind::choice;
  }
  if (name == "job" || name == "jobs") {
    return ValueKind::job;
  }
  if (name == "workflows" || name == "workflow" || name == "paths") {
    return ValueKind::workflow;
  }
  if (name == "directory" || name == "output" || contains(name, "-dir")) {
    return ValueKind::directory;
  }
  if (contains(name, "file") || contains(name, "path") || name == "config") {
    return ValueKind::file;
  }
  return ValueKind::text;
}

Argument argument_of(const CLI::Option& option) {
  Argument arg;
  for (const auto& name : option.get_snames()) {
    arg.names.push_back("-" + name);
  }
  for (const auto& name : option.get_lnames()) {
    arg.names.push_back("--" + name);
  }
  arg.description = option.get_description();
  const bool flag = !option.get_positional() && option.get_items_expected_max() == 0;
  if (flag) {
    return arg;
  }
  arg.choices = choices_of(option.get_type_name());
  arg.kind = kind_of(option.get_single_name(), arg.choices);
  if (option.get_positional()) {
    arg.names = {option.get_name(true, false)};
    arg.repeats = option.get_items_expected_max() > 1;
  }
  return arg;
}

bool visible(const CLI::Option& option) { return !option.get_group().empty(); }

bool has_names(const std::vector<Argument>& options, const Argument& arg) {
  return std::any_of(options.begin(), options.end(), [&](const Argument& own) { return own.names == arg.names; });
}

Command describe_at(const CLI::App& app, std::vector<std::string> path, const std::vector<Argument>& handed_up) {
  Command command;
  command.path = std::move(path);
  command.description = app.get_description();
  for (const CLI::Option* option : app.get_options()) {
    if (!visible(*option)) {
      continue;
    }
    auto arg = argument_of(*option);
    (option->get_positional() ? command.positionals : command.options).push_back(std::move(arg));
  }
  // A subcommand with fallthrough hands options it does not know to its parent: they complete there too.
  std::vector<Argument> inherited;
  for (const auto& arg : handed_up) {
    if (!has_names(command.options, arg)) {
      command.options.push_back(arg);
    }
  }
  for (const auto& arg : command.options) {
    if (arg.names != std::vector<std::string>{"--version"}) {
      inherited.push_back(arg);
    }
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    auto sub_path = command.path;
    sub_path.push_back(sub->get_name());
    command.subcommands.push_back(
        describe_at(*sub, std::move(sub_path), sub->get_fallthrough() ? inherited : std::vector<Argument>{}));
  }
  return command;
}

void collect(const Command& command, std::vector<const Command*>& out) {
  out.push_back(&command);
  for (const auto& sub : command.subcommands) {
    collect(sub, out);
  }
}

}  // namespace

Command describe(const CLI::App& app) { return describe_at(app, {}, {}); }

std::vector<const Command*> flatten(const Command& root) {
  std::vector<const Command*> out;
  collect(root, out);
  return out;
}

std::string path_text(const Command& command) {
  std::string text;
  for (const auto& word : command.path) {
    text += (text.empty() ? "" : " ") + word;
  }
  return text;
}

}  // namespace pipeline::runner::cli::completion
