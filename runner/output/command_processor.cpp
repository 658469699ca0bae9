#include "runner/output/command_processor.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace pipeline::runner::output {
namespace {

struct KnownCommand {
  std::string_view name;
  bool omit_echo;  // commands the runner never echoes (their data may be secret or noisy)
};

constexpr std::array k_commands{
    KnownCommand{"set-env", false},     KnownCommand{"set-output", false},  KnownCommand{"save-state", false},
    KnownCommand{"add-mask", true},     KnownCommand{"add-path", false},    KnownCommand{"add-matcher", false},
    KnownCommand{"remove-matcher", false}, KnownCommand{"debug", true},     KnownCommand{"notice", true},
    KnownCommand{"warning", true},      KnownCommand{"error", true},        KnownCommand{"group", false},
    KnownCommand{"endgroup", false},    KnownCommand{"echo", false},        KnownCommand{"stop-commands", false},
};

// A command's reason for failing, reported as GitHub does: which line, then why.
struct CommandFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

const KnownCommand* find_command(std::string_view name) {
  for (const auto& c : k_commands) {
    if (iequals(c.name, name)) {
      return &c;
    }
  }
  return nullptr;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string trim_upper(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  std::string out(s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1));
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

std::optional<int> to_int(const std::string* text) {
  if (text == nullptr) {
    return std::nullopt;
  }
  int value = 0;
  const auto* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc{} || ptr != end) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> optional_string(const std::string* text) {
  return text == nullptr ? std::nullopt : std::optional<std::string>(*text);
}

const std::string& required_name(const WorkflowCommand& command, std::string_view which) {
  const auto* name = command.property("name");
  if (name == nullptr || name->empty()) {
    throw CommandFailure("Required field 'name' is missing in ##[" + std::string(which) + "] command.");
  }
  return *name;
}

event::Annotation annotation(const WorkflowCommand& command, Level level) {
  event::Annotation a;
  a.level = level;
  a.message = command.data;
  a.file = optional_string(command.property("file"));
  a.line = to_int(command.property("line"));
  a.end_line = to_int(command.property("endLine"));
  a.column = to_int(command.property("col"));
  a.end_column = to_int(command.property("endColumn"));
  a.title = optional_string(command.property("title"));
  return a;
}

}  // namespace

std::string unsecure_command_disabled_message(std::string_view command) {
  return "The `" + std::string(command) +
         "` command is disabled. Please upgrade to using Environment Files or opt into unsecure command execution "
         "by setting the `ACTIONS_ALLOW_UNSECURE_COMMANDS` environment variable to `true`. For more information "
         "see: https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/";
}

std::string deprecated_command_message(std::string_view command) {
  return "The `" + std::string(command) +
         "` command is deprecated and will be disabled soon. Please upgrade to using Environment Files. For more "
         "information see: "
         "https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/";
}

namespace {

// The runner only accepts a modern command with a known name; otherwise it tries the legacy
// syntax on the same line.
std::optional<WorkflowCommand> parse_known(std::string_view line, const std::optional<std::string>& stop_token) {
  auto command = parse_workflow_command(line);
  const auto known = [&stop_token](const WorkflowCommand& c) {
    return find_command(c.name) != nullptr || (stop_token && iequals(c.name, *stop_token));
  };
  if (command && command->syntax == CommandSyntax::modern && !known(*command)) {
    if (auto legacy = parse_legacy_command(line); legacy && known(*legacy)) {
      return legacy;
    }
  }
  return command;
}

}  // namespace

std::vector<CommandEvent> CommandProcessor::process(std::string_view line) {
  std::vector<CommandEvent> events;
  const auto command = parse_known(line, m_stop_token);
  if (!command) {
    events.emplace_back(event::Output{std::string(line)});
  } else if (m_stop_token) {
    process_stopped(*command, line, events);
  } else if (find_command(command->name) == nullptr) {
    events.emplace_back(event::Output{std::string(line)});
  } else if (iequals(command->name, "stop-commands")) {
    stop(*command, line, events);
  } else {
    dispatch(*command, line, events);
  }
  return events;
}

void CommandProcessor::process_stopped(const WorkflowCommand& command, std::string_view line,
                                       std::vector<CommandEvent>& events) {
  events.emplace_back(event::Output{std::string(line)});
  if (iequals(command.name, *m_stop_token)) {
    events.emplace_back(event::Debug{"Resume processing commands"});
    m_stop_token.reset();
  }
}

// A token that is empty or names a command would let any line end the pause, which defeats it.
void CommandProcessor::stop(const WorkflowCommand& command, std::string_view line, std::vector<CommandEvent>& events) {
  const bool unsafe =
      command.data.empty() || iequals(command.data, "pause-logging") || find_command(command.data) != nullptr;
  if (unsafe && !m_settings.allow_unsecure_stop_tokens) {
    events.emplace_back(event::RunnerMessage{
        Level::error,
        "You cannot use a endToken that is an empty string, the string 'pause-logging', or another workflow "
        "command. For more information see: "
        "https://docs.github.com/actions/learn-github-actions/"
        "workflow-commands-for-github-actions#example-stopping-and-starting-workflow-commands or opt into insecure "
        "command execution by setting the `ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS` environment variable to "
        "`true`.",
        true});
    return;
  }
  events.emplace_back(event::Output{std::string(line)});
  events.emplace_back(event::Debug{"Paused processing commands until '##[" + command.data + "]' is received"});
  m_stop_token = command.data;
}

void CommandProcessor::dispatch(const WorkflowCommand& command, std::string_view line,
                                std::vector<CommandEvent>& events) {
  const auto* known = find_command(command.name);
  if (m_settings.echo && !known->omit_echo) {
    events.emplace_back(event::Output{std::string(line)});
  }
  try {
    execute(command, events);
  } catch (const CommandFailure& failure) {
    const std::string shown = known->omit_echo ? std::string(known->name) : std::string(line);
    events.emplace_back(event::RunnerMessage{Level::error, "Unable to process command '" + shown + "' successfully.", true});
    events.emplace_back(event::RunnerMessage{Level::error, failure.what(), true});
  }
}

// One branch per command; unknown names never get here.
void CommandProcessor::execute(const WorkflowCommand& command, std::vector<CommandEvent>& events) {
  const std::string name = lower(command.name);
  if (name == "add-mask") {
    add_mask(command, events);
  } else if (name == "group") {
    events.emplace_back(event::Group{command.data});
  } else if (name == "endgroup") {
    events.emplace_back(event::EndGroup{});
  } else if (name == "error" || name == "warning" || name == "notice") {
    const Level level = name == "error" ? Level::error : name == "warning" ? Level::warning : Level::notice;
    events.emplace_back(annotation(command, level));
  } else if (name == "debug") {
    events.emplace_back(event::Debug{command.data});
  } else if (name == "set-output" || name == "save-state") {
    deprecated_command(command, name, events);
  } else if (name == "set-env" || name == "add-path") {
    unsecure_command(command, name, events);
  } else if (name == "echo") {
    set_echo(command, events);
  } else {
    // add-matcher / remove-matcher: problem matchers are not implemented; say so in debug.
    events.emplace_back(event::Debug{"Ignoring ##[" + name + "]: problem matchers are not supported"});
  }
}

void CommandProcessor::add_mask(const WorkflowCommand& command, std::vector<CommandEvent>& events) const {
  if (trim_upper(command.data).empty()) {
    events.emplace_back(
        event::RunnerMessage{Level::warning, "Can't add secret mask for empty string in ##[add-mask] command."});
    return;
  }
  if (m_settings.echo) {
    events.emplace_back(event::Output{"::add-mask::***"});
  }
  events.emplace_back(event::AddMask{command.data});
}

void CommandProcessor::deprecated_command(const WorkflowCommand& command, const std::string& name,
                                          std::vector<CommandEvent>& events) {
  const auto& key = required_name(command, name);
  events.emplace_back(event::RunnerMessage{Level::warning, deprecated_command_message(name)});
  if (name == "set-output") {
    events.emplace_back(event::SetOutput{key, command.data});
  } else {
    events.emplace_back(event::SaveState{key, command.data});
  }
}

void CommandProcessor::unsecure_command(const WorkflowCommand& command, const std::string& name,
                                        std::vector<CommandEvent>& events) const {
  if (!m_settings.allow_unsecure_commands) {
    throw CommandFailure(unsecure_command_disabled_message(name));
  }
  if (name == "add-path") {
    if (command.data.empty()) {
      throw CommandFailure("Value cannot be null or empty. (Parameter 'path')");
    }
    events.emplace_back(event::AddPath{command.data});
    return;
  }
  const auto& key = required_name(command, name);
  if (iequals(key, "NODE_OPTIONS")) {
    events.emplace_back(event::RunnerMessage{
        Level::error, "Can't update NODE_OPTIONS environment variable using ::set-env:: command."});
    return;
  }
  events.emplace_back(event::SetEnv{key, command.data});
}

void CommandProcessor::set_echo(const WorkflowCommand& command, std::vector<CommandEvent>& events) {
  const auto value = trim_upper(command.data);
  if (value != "ON" && value != "OFF") {
    throw CommandFailure("Invalid echo command value. Possible values can be: 'on', 'off'. Current value is: '" +
                         command.data + "'.");
  }
  m_settings.echo = value == "ON";
  events.emplace_back(event::Echo{m_settings.echo});
  events.emplace_back(
      event::Debug{std::string("Setting echo command value to '") + (m_settings.echo ? "on" : "off") + "'"});
}

}  // namespace pipeline::runner::output
