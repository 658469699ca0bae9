// pipe-agent: runs a job's steps inside its container, one request at a time, so a step costs a
// fork instead of an engine exec. Speaks the frames of protocol.hpp on stdin/stdout and exits when
// stdin ends; with `--listen PATH` it serves each connection to the unix socket PATH the same way.
#include <signal.h>

#include <cstring>

#include "runner/agent/serve.hpp"

using namespace pipeline::runner::agent;

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);  // pipe going away shows up as a failed write, handled there
  if (argc == 3 && std::strcmp(argv[1], "--listen") == 0) {
    return serve_socket(argv[2]);
  }
  return serve_stdio();
}
