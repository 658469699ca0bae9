#pragma once
// Per-step interpretation of workflow commands: turns each output line into typed events the
// engine switches on (masks, groups, annotations, outputs, messages from the runner itself).
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "runner/output/workflow_command.hpp"

namespace pipeline::runner::output {

/// Severity of an annotation or of a message the runner prints about a command.
enum class Level { debug, notice, warning, error };

namespace event {
/// A line to show as is (plain output, or a command echoed back); from StepOutput's plain-line
/// fast path, several lines each ending in `\n`.
struct Output { std::string text; };
/// `::add-mask::` — register the value with the masker before the next line is shown.
struct AddMask { std::string value; };
/// `::group::title`.
struct Group { std::string title; };
/// `::endgroup::`.
struct EndGroup {};
/// `::error`/`::warning`/`::notice` with their location properties.
struct Annotation {
  Level level = Level::error;
  std::string message;
  std::optional<std::string> file;
  std::optional<int> line;
  std::optional<int> end_line;
  std::optional<int> column;
  std::optional<int> end_column;
  std::optional<std::string> title;
  friend bool operator==(const Annotation&, const Annotation&) = default;
};
/// `::debug::` — shown only when step debug logging is on.
struct Debug { std::string message; };
/// `::set-output name=N::V` (deprecated, still honoured).
struct SetOutput { std::string name; std::string value; };
/// `::save-state name=N::V` (deprecated, still honoured).
struct SaveState { std::string name; std::string value; };
/// `::set-env name=N::V`, only when unsecure commands are allowed.
struct SetEnv { std::string name; std::string value; };
/// `::add-path::DIR`, only when unsecure commands are allowed.
struct AddPath { std::string path; };
/// `::echo on|off` changed whether commands are echoed.
struct Echo { bool on = false; };
/// Something the runner says about a command; `fails_step` marks errors that fail the step.
struct RunnerMessage {
  Level level = Level::warning;
  std::string message;
  bool fails_step = false;
};
}  // namespace event

/// One thing the engine must do or show for an output line.
using CommandEvent = std::variant<event::Output, event::AddMask, event::Group, event::EndGroup, event::Annotation,
                                  event::Debug, event::SetOutput, event::SaveState, event::SetEnv, event::AddPath,
                                  event::Echo, event::RunnerMessage>;

/// Settings of a step that change how commands are handled.
struct CommandSettings {
  bool echo = false;                       // echo commands (also on with ACTIONS_STEP_DEBUG)
  bool allow_unsecure_commands = false;    // ACTIONS_ALLOW_UNSECURE_COMMANDS=true
  bool allow_unsecure_stop_tokens = false; // ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS=true
};

/// GitHub's refusal of `set-env`/`add-path`, with `command` filled in.
[[nodiscard]] std::string unsecure_command_disabled_message(std::string_view command);

/// GitHub's deprecation warning for `set-output`/`save-state`, with `command` filled in.
[[nodiscard]] std::string deprecated_command_message(std::string_view command);

/// Holds one step's command state (`stop-commands`, `echo`) and interprets its lines in order.
class CommandProcessor {
public:
  explicit CommandProcessor(CommandSettings settings = {}) : m_settings(settings) {}

  /// The events for one output line (without its newline).
  [[nodiscard]] std::vector<CommandEvent> process(std::string_view line);

  /// True while `stop-commands` is in effect.
  [[nodiscard]] bool stopped() const { return m_stop_token.has_value(); }

private:
  void process_stopped(const WorkflowCommand& command, std::string_view line, std::vector<CommandEvent>& events);
  void stop(const WorkflowCommand& command, std::string_view line, std::vector<CommandEvent>& events);
  void dispatch(const WorkflowCommand& command, std::string_view line, std::vector<CommandEvent>& events);
  void execute(const WorkflowCommand& command, std::vector<CommandEvent>& events);
  void add_mask(const WorkflowCommand& command, std::vector<CommandEvent>& events) const;
  static void deprecated_command(const WorkflowCommand& command, const std::string& name,
                                 std::vector<CommandEvent>& events);
  void unsecure_command(const WorkflowCommand& command, const std::string& name,
                        std::vector<CommandEvent>& events) const;
  void set_echo(const WorkflowCommand& command, std::vector<CommandEvent>& events);

  CommandSettings m_settings;
  std::optional<std::string> m_stop_token;
};

}  // namespace pipeline::runner::output
