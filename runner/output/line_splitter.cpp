#include "runner/output/line_splitter.hpp"

namespace pipeline::runner::output {
namespace {

std::string_view without_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  return line;
}

}  // namespace

void LineSplitter::write(Stream stream, std::string_view bytes) {
  std::string& held = partial(stream);
  const auto last_newline = bytes.rfind('\n');
  if (last_newline == std::string_view::npos) {
    held.append(bytes);
    return;
  }
  std::string_view lines = bytes.substr(0, last_newline + 1);
  if (!held.empty()) {
    // The held start of a line is completed first, alone: it is not contiguous with the rest.
    const auto newline = lines.find('\n');
    held.append(lines.substr(0, newline));
    m_consumer(stream, without_cr(held));
    held.clear();
    lines.remove_prefix(newline + 1);
  }
  if (!lines.empty() && !(m_block && m_block(stream, lines))) {
    split(stream, lines);
  }
  held.append(bytes.substr(last_newline + 1));
}

// `lines` ends in '\n'.
void LineSplitter::split(Stream stream, std::string_view lines) {
  while (!lines.empty()) {
    const auto newline = lines.find('\n');
    m_consumer(stream, without_cr(lines.substr(0, newline)));
    lines.remove_prefix(newline + 1);
  }
}

void LineSplitter::flush() {
  for (Stream stream : {Stream::out, Stream::err}) {
    std::string& held = partial(stream);
    if (!held.empty()) {
      std::string line = std::move(held);
      held.clear();
      m_consumer(stream, without_cr(line));
    }
  }
}

}  // namespace pipeline::runner::output
