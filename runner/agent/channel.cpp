#include "runner/agent/channel.hpp"

#include <cerrno>
#include <string>

#include <unistd.h>

namespace pipeline::runner::agent {

bool Channel::read_available() {
  char buffer[65536];
  const ssize_t n = ::read(input_fd(), buffer, sizeof buffer);
  if (n > 0) {
    m_reader.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
    return true;
  }
  if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    m_closed = true;
  }
  return !m_closed;
}

bool Channel::send(FrameType type, std::string_view payload) {
  const std::string frame = encode_frame(type, payload);
  std::string_view rest = frame;
  while (!rest.empty()) {
    const ssize_t n = ::write(1, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      m_closed = true;
      return false;
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace pipeline::runner::agent
