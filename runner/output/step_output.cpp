#include "runner/output/step_output.hpp"

namespace pipeline::runner::output {

StepOutput::StepOutput(Masker& masker, CommandSettings settings, StepEventConsumer consumer, TextSource texts)
    : m_masker(masker),
      m_processor(settings),
      m_consumer(std::move(consumer)),
      m_texts(std::move(texts)),
      m_splitter([this](Stream stream, std::string_view line) { on_line(stream, line); },
                 [this](Stream stream, std::string_view lines) { return on_block(stream, lines); }) {}

void StepOutput::write(Stream stream, std::string_view bytes) {
  m_splitter.write(stream, bytes);
  flush_plain();
}

void StepOutput::finish() {
  m_splitter.flush();
  flush_plain();
}

// The mask is registered before the following events are masked, so a value printed right
// after its `add-mask` line never shows.
void StepOutput::on_line(Stream stream, std::string_view line) {
  // Nearly every line is plain output. A line with neither `::` nor `##[` cannot be a workflow
  // command (nor a stop-commands token), so it skips the command parser and its allocations.
  if (line.find("::") == std::string_view::npos && line.find("##[") == std::string_view::npos) {
    add_plain(stream, line);
    m_plain.push_back('\n');
    return;
  }
  flush_plain();
  for (auto& event : m_processor.process(line)) {
    if (const auto* mask = std::get_if<event::AddMask>(&event)) {
      m_masker.add_mask(mask->value);
    }
    mask_display_text(event);
    m_consumer(stream, std::move(event));
  }
}

// The plain-line fast path for a whole read: when no line of the run can be a command (see
// on_line) and none ends in CR (the splitter drops it), the lines are masked in one pass.
// Masking them together equals masking each: the line masker leaves out patterns spanning lines.
bool StepOutput::on_block(Stream stream, std::string_view lines) {
  if (lines.find('\r') != std::string_view::npos || lines.find("::") != std::string_view::npos ||
      lines.find("##[") != std::string_view::npos) {
    return false;
  }
  add_plain(stream, lines);
  return true;
}

// Plain lines of one write gather in one text, posted when the write ends or before any other
// event: a read's lines then cost one event and one copy, whichever way each line came.
void StepOutput::add_plain(Stream stream, std::string_view lines) {
  if (!m_plain.empty() && stream != m_plain_stream) {
    flush_plain();
  }
  if (m_plain.empty() && m_texts) {
    m_plain = m_texts();
    m_plain.clear();
  }
  m_plain_stream = stream;
  m_masker.append_masked_lines(m_plain, lines);
}

void StepOutput::flush_plain() {
  if (m_plain.empty()) {
    return;
  }
  m_consumer(m_plain_stream, event::Output{std::move(m_plain)});
  m_plain.clear();
}

void StepOutput::mask_display_text(CommandEvent& event) const {
  const auto mask = [this](std::string& text) { text = m_masker.mask(text); };
  const auto mask_optional = [this](std::optional<std::string>& text) {
    if (text) {
      *text = m_masker.mask(*text);
    }
  };
  if (auto* e = std::get_if<event::Output>(&event)) {
    mask(e->text);
  } else if (auto* g = std::get_if<event::Group>(&event)) {
    mask(g->title);
  } else if (auto* a = std::get_if<event::Annotation>(&event)) {
    mask(a->message);
    mask_optional(a->title);
    mask_optional(a->file);
  } else if (auto* d = std::get_if<event::Debug>(&event)) {
    mask(d->message);
  } else if (auto* m = std::get_if<event::RunnerMessage>(&event)) {
    mask(m->message);
  }
}

}  // namespace pipeline::runner::output
