#pragma once
// Decodes Docker's multiplexed attach stream: 8-byte headers [stream, 0, 0, 0, size(BE32)] + payload.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "runner/backend/backend.hpp"

namespace pipeline::runner::docker {

/// Splits a multiplexed stream into stdout/stderr payloads, whatever the read boundaries are.
class FrameDecoder {
public:
  /// Feeds the next bytes read from the connection; complete payload pieces go to `sink` at once.
  void feed(std::string_view bytes, OutputSink& sink);
  /// True when the stream stopped in the middle of a header or a payload.
  [[nodiscard]] bool mid_frame() const { return m_header_fill != 0 || m_remaining != 0; }

private:
  std::size_t take_header(std::string_view bytes);
  std::array<unsigned char, 8> m_header{};
  std::size_t m_header_fill = 0;
  std::uint32_t m_remaining = 0;
  Stream m_stream = Stream::out;
};

}  // namespace pipeline::runner::docker
