// pipe-agent: runs a job's steps inside its container, one request at a time, so a step costs a
// fork instead of an engine exec. Speaks the frames of protocol.hpp on stdin/stdout; exits when
// stdin ends.
#include <poll.h>
#include <signal.h>

#include "runner/agent/channel.hpp"
#include "runner/agent/protocol.hpp"
#include "runner/agent/step.hpp"

using namespace pipeline::runner::agent;

int main() {
  ::signal(SIGPIPE, SIG_IGN);  // pipe going away shows up as a failed write, handled there
  Channel channel;
  if (!channel.send(FrameType::hello, k_protocol_version)) {
    return 1;
  }
  while (!channel.closed()) {
    pollfd input{channel.input_fd(), POLLIN, 0};
    if (::poll(&input, 1, -1) < 0) {
      continue;
    }
    channel.read_available();
    while (auto frame = channel.next()) {
      if (frame->type != FrameType::request) {
        continue;  // a cancel that arrived after its step ended
      }
      auto request = decode_request(frame->payload);
      if (!request) {
        channel.send(FrameType::err, "pipe-agent: malformed request\n");
        channel.send(FrameType::exit, encode_exit(Exit{126, 0, false, false}));
        continue;
      }
      channel.send(FrameType::exit, encode_exit(run_step(*request, channel)));
    }
  }
  return 0;
}
