#pragma once
// Turns a step's byte chunks into whole lines, one partial line per stream.
#include <functional>
#include <string>
#include <string_view>

#include "runner/backend/backend.hpp"

namespace pipeline::runner::output {

/// Receives each complete line (without its `\n` or `\r\n`) and the stream it came from.
using LineConsumer = std::function<void(Stream stream, std::string_view line)>;

/// Offered a run of complete lines exactly as written (each ends in `\n`, a `\r` before it
/// kept); returns false to have them delivered one by one to the LineConsumer instead.
using BlockConsumer = std::function<bool(Stream stream, std::string_view lines)>;

/// An OutputSink that buffers partial lines per stream and forwards complete ones.
class LineSplitter : public OutputSink {
public:
  explicit LineSplitter(LineConsumer consumer, BlockConsumer block = {})
      : m_consumer(std::move(consumer)), m_block(std::move(block)) {}

  /// Splits `bytes` at `\n`; the unterminated tail waits for more bytes or flush(). The whole
  /// lines of one write after the first are offered to the BlockConsumer, if any, as one run.
  void write(Stream stream, std::string_view bytes) override;

  /// Forwards the unterminated last line of each stream, if any (end of the process).
  void flush();

private:
  std::string& partial(Stream stream) { return stream == Stream::out ? m_out : m_err; }
  void split(Stream stream, std::string_view lines);

  LineConsumer m_consumer;
  BlockConsumer m_block;
  std::string m_out;
  std::string m_err;
};

}  // namespace pipeline::runner::output
