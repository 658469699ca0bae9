#include "runner/agent/protocol.hpp"

namespace pipeline::runner::agent {
namespace {

void put_u32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xffU));
  }
}

void put_string(std::string& out, std::string_view text) {
  put_u32(out, static_cast<std::uint32_t>(text.size()));
  out.append(text);
}

void put_strings(std::string& out, const std::vector<std::string>& list) {
  put_u32(out, static_cast<std::uint32_t>(list.size()));
  for (const auto& item : list) {
    put_string(out, item);
  }
}

// Reads fields front to back; any read past the end marks the whole payload malformed.
class Cursor {
public:
  explicit Cursor(std::string_view bytes) : m_bytes(bytes) {}

  std::uint32_t u32() {
    if (m_bytes.size() < 4) {
      m_bad = true;
      return 0;
    }
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      value = (value << 8) | static_cast<unsigned char>(m_bytes[static_cast<std::size_t>(i)]);
    }
    m_bytes.remove_prefix(4);
    return value;
  }

  std::string string() {
    const std::uint32_t size = u32();
    if (m_bad || m_bytes.size() < size) {
      m_bad = true;
      return {};
    }
    std::string value(m_bytes.substr(0, size));
    m_bytes.remove_prefix(size);
    return value;
  }

  std::vector<std::string> strings() {
    const std::uint32_t count = u32();
    std::vector<std::string> list;
    // Each string needs at least its 4-byte size: a larger count cannot be honest.
    if (m_bad || count > m_bytes.size() / 4) {
      m_bad = true;
      return list;
    }
    for (std::uint32_t i = 0; i < count && !m_bad; ++i) {
      list.push_back(string());
    }
    return list;
  }

  [[nodiscard]] bool good_and_done() const { return !m_bad && m_bytes.empty(); }

private:
  std::string_view m_bytes;
  bool m_bad = false;
};

bool known_type(char type) {
  for (char known : {'H', 'R', 'C', 'O', 'E', 'X'}) {
    if (type == known) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string encode_frame(FrameType type, std::string_view payload) {
  std::string frame;
  frame.reserve(k_header_size + payload.size());
  frame.push_back(static_cast<char>(type));
  put_u32(frame, static_cast<std::uint32_t>(payload.size()));
  frame.append(payload);
  return frame;
}

std::string encode_request(const Request& request) {
  std::string out;
  put_strings(out, request.argv);
  put_strings(out, request.env);
  put_string(out, request.cwd);
  put_u32(out, static_cast<std::uint32_t>(request.timeout_ms >> 32));
  put_u32(out, static_cast<std::uint32_t>(request.timeout_ms & 0xffffffffU));
  put_string(out, request.user);
  return out;
}

std::optional<Request> decode_request(std::string_view payload) {
  Cursor cursor(payload);
  Request request;
  request.argv = cursor.strings();
  request.env = cursor.strings();
  request.cwd = cursor.string();
  const std::uint64_t high = cursor.u32();
  request.timeout_ms = (high << 32) | cursor.u32();
  request.user = cursor.string();
  if (!cursor.good_and_done() || request.argv.empty()) {
    return std::nullopt;
  }
  return request;
}

std::string encode_exit(const Exit& exit) {
  std::string out;
  put_u32(out, static_cast<std::uint32_t>(exit.status));
  put_u32(out, static_cast<std::uint32_t>(exit.signal));
  out.push_back(exit.timed_out ? '\1' : '\0');
  out.push_back(exit.cancelled ? '\1' : '\0');
  return out;
}

std::optional<Exit> decode_exit(std::string_view payload) {
  if (payload.size() != 10) {
    return std::nullopt;
  }
  Cursor cursor(payload.substr(0, 8));
  Exit exit;
  exit.status = static_cast<int>(cursor.u32());
  exit.signal = static_cast<int>(cursor.u32());
  exit.timed_out = payload[8] != '\0';
  exit.cancelled = payload[9] != '\0';
  return exit;
}

std::optional<Frame> FrameReader::next() {
  if (m_corrupt || m_buffer.size() - m_offset < k_header_size) {
    return std::nullopt;
  }
  const char type = m_buffer[m_offset];
  std::uint32_t size = 0;
  for (std::size_t i = 1; i < k_header_size; ++i) {
    size = (size << 8) | static_cast<unsigned char>(m_buffer[m_offset + i]);
  }
  if (!known_type(type) || size > k_max_payload) {
    m_corrupt = true;
    return std::nullopt;
  }
  if (m_buffer.size() - m_offset - k_header_size < size) {
    return std::nullopt;
  }
  Frame frame{static_cast<FrameType>(type), m_buffer.substr(m_offset + k_header_size, size)};
  m_offset += k_header_size + size;
  // Consumed bytes are dropped once they outweigh what is left, so the buffer stays small.
  if (m_offset > m_buffer.size() / 2) {
    m_buffer.erase(0, m_offset);
    m_offset = 0;
  }
  return frame;
}

}  // namespace pipeline::runner::agent
