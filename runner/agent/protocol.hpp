#pragma once
// The step agent's wire format, shared by pipe and `pipe-agent`: frames of [type:1][size:4 BE][payload]
// on the agent's stdin (requests, cancel) and stdout (hello, output, exit).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::runner::agent {

/// What a frame carries.
enum class FrameType : char {
  hello = 'H',    // agent -> pipe: ready; payload is the protocol version
  request = 'R',  // pipe -> agent: run one step (payload: an encoded Request)
  cancel = 'C',   // pipe -> agent: stop the running step
  out = 'O',      // agent -> pipe: stdout bytes of the step
  err = 'E',      // agent -> pipe: stderr bytes of the step
  exit = 'X',     // agent -> pipe: how the step ended (payload: an encoded Exit)
};

/// The protocol version the hello frame carries; pipe refuses an agent speaking another.
inline constexpr std::string_view k_protocol_version = "1";
/// Bytes before each payload: the type and the big-endian size.
inline constexpr std::size_t k_header_size = 5;
/// The largest payload either side accepts: a larger size means the stream is corrupt.
inline constexpr std::uint32_t k_max_payload = 64U * 1024U * 1024U;

/// One decoded frame.
struct Frame {
  FrameType type = FrameType::hello;
  std::string payload;
};

/// One step to run, as the agent receives it.
struct Request {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "NAME=value", laid over the agent's own environment
  std::string cwd;               // empty: the agent's working directory
  std::uint64_t timeout_ms = 0;  // 0: none
  std::string user;              // "uid" or "uid:gid"; empty: the agent's own user
};

/// How a step ended, as the agent reports it.
struct Exit {
  int status = 0;      // the exit code when the step exited
  int signal = 0;      // the signal that ended it, 0 when it exited
  bool timed_out = false;
  bool cancelled = false;
};

/// The bytes of one frame.
[[nodiscard]] std::string encode_frame(FrameType type, std::string_view payload);
/// A request's payload.
[[nodiscard]] std::string encode_request(const Request& request);
/// The request in a payload; nullopt when the payload is malformed.
[[nodiscard]] std::optional<Request> decode_request(std::string_view payload);
/// An exit's payload.
[[nodiscard]] std::string encode_exit(const Exit& exit);
/// The exit in a payload; nullopt when the payload is malformed.
[[nodiscard]] std::optional<Exit> decode_exit(std::string_view payload);

/// Cuts a byte stream into frames, whatever the read boundaries are.
class FrameReader {
public:
  /// Appends the next bytes read from the stream.
  void feed(std::string_view bytes) { m_buffer.append(bytes); }
  /// The next complete frame, if one is buffered; nullopt also once the stream is corrupt.
  [[nodiscard]] std::optional<Frame> next();
  /// True when the stream announced an unknown type or an oversized payload.
  [[nodiscard]] bool corrupt() const { return m_corrupt; }
  /// True when part of a frame is buffered.
  [[nodiscard]] bool mid_frame() const { return m_offset < m_buffer.size(); }

private:
  std::string m_buffer;
  std::size_t m_offset = 0;
  bool m_corrupt = false;
};

}  // namespace pipeline::runner::agent
