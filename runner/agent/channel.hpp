#pragma once
// The agent's side of the protocol: frames read from stdin, frames written to stdout.
#include <optional>
#include <string_view>

#include "runner/agent/protocol.hpp"

namespace pipeline::runner::agent {

/// pipe's end of the conversation: stdin carries requests, stdout carries everything back.
class Channel {
public:
  /// The descriptor to poll for incoming bytes.
  [[nodiscard]] int input_fd() const { return 0; }
  /// Reads what is available (call when input_fd is readable); false once stdin has ended.
  bool read_available();
  /// The next complete incoming frame, if any.
  [[nodiscard]] std::optional<Frame> next() { return m_reader.next(); }
  /// True once stdin ended or carried garbage: pipe is gone.
  [[nodiscard]] bool closed() const { return m_closed || m_reader.corrupt(); }
  /// Writes one frame to stdout; false when pipe no longer reads.
  bool send(FrameType type, std::string_view payload);

private:
  FrameReader m_reader;
  bool m_closed = false;
};

}  // namespace pipeline::runner::agent
