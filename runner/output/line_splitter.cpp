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
  while (!bytes.empty()) {
    const auto newline = bytes.find('\n');
    if (newline == std::string_view::npos) {
      held.append(bytes);
      return;
    }
    if (held.empty()) {
      m_consumer(stream, without_cr(bytes.substr(0, newline)));
    } else {
      held.append(bytes.substr(0, newline));
      m_consumer(stream, without_cr(held));
      held.clear();
    }
    bytes.remove_prefix(newline + 1);
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
