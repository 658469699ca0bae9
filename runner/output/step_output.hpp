#pragma once
// The sink chain of one step: bytes → lines → workflow commands → masking → the engine.
#include <functional>
#include <string_view>

#include "runner/backend/backend.hpp"
#include "runner/output/command_processor.hpp"
#include "runner/output/line_splitter.hpp"
#include "runner/output/masker.hpp"

namespace pipeline::runner::output {

/// Receives each event of a step's output; every text meant for display is already masked. An
/// event::Output holds one line without its line end (a command echoed back) or the plain
/// lines of one write, each ending in `\n`.
using StepEventConsumer = std::function<void(Stream stream, CommandEvent event)>;

/// An OutputSink for one step: splits lines, interprets commands, registers `add-mask` values
/// before the next line is shown, and masks every displayed text (output lines, group titles,
/// annotations, debug and runner messages). Values meant as data (outputs, state, env) are
/// passed unmasked: they are masked when shown, not when stored.
class StepOutput : public OutputSink {
public:
  /// Hands out an empty string to fill with a block of lines; may give back the memory of a
  /// text already shown, so a long output does not keep touching fresh memory.
  using TextSource = std::function<std::string()>;

  StepOutput(Masker& masker, CommandSettings settings, StepEventConsumer consumer, TextSource texts = {});

  /// Feeds a chunk of the step's stdout or stderr.
  void write(Stream stream, std::string_view bytes) override;

  /// Processes the last unterminated line of each stream; call when the process has ended.
  void finish();

private:
  void on_line(Stream stream, std::string_view line);
  bool on_block(Stream stream, std::string_view lines);
  void add_plain(Stream stream, std::string_view lines);
  void flush_plain();
  void mask_display_text(CommandEvent& event) const;

  Masker& m_masker;
  CommandProcessor m_processor;
  StepEventConsumer m_consumer;
  TextSource m_texts;
  std::string m_plain;  // masked plain lines of the current write, each ending in '\n'
  Stream m_plain_stream = Stream::out;
  LineSplitter m_splitter;
};

}  // namespace pipeline::runner::output
