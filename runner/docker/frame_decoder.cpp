#include "runner/docker/frame_decoder.hpp"

#include <algorithm>

namespace pipeline::runner::docker {

std::size_t FrameDecoder::take_header(std::string_view bytes) {
  const std::size_t n = std::min(bytes.size(), m_header.size() - m_header_fill);
  std::copy_n(bytes.begin(), n, m_header.begin() + static_cast<std::ptrdiff_t>(m_header_fill));
  m_header_fill += n;
  if (m_header_fill == m_header.size()) {
    // Stream 0 (stdin echo) never carries output here; treat anything but 2 as stdout.
    m_stream = m_header[0] == 2 ? Stream::err : Stream::out;
    m_remaining = (std::uint32_t{m_header[4]} << 24) | (std::uint32_t{m_header[5]} << 16) |
                  (std::uint32_t{m_header[6]} << 8) | std::uint32_t{m_header[7]};
    m_header_fill = 0;
  }
  return n;
}

void FrameDecoder::feed(std::string_view bytes, OutputSink& sink) {
  while (!bytes.empty()) {
    if (m_remaining == 0) {
      bytes.remove_prefix(take_header(bytes));
      continue;
    }
    const std::size_t n = std::min<std::size_t>(bytes.size(), m_remaining);
    sink.write(m_stream, bytes.substr(0, n));
    m_remaining -= static_cast<std::uint32_t>(n);
    bytes.remove_prefix(n);
  }
}

}  // namespace pipeline::runner::docker
