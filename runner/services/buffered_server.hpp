#pragma once
// cpp-httplib's server, its parser and routing unchanged, whose connections read through a large
// buffer. The library's own socket stream receives at most 4 KiB per call and polls before each
// one: two system calls per 4 KiB of an upload's body, which bounded what a job could upload.
#include <httplib.h>

namespace pipeline::runner::services {

/// A server whose connections receive up to 256 KiB per system call, keep a connection open for
/// up to 100 requests, and let go of an idle one as soon as the server stops.
class BufferedServer final : public httplib::Server {
public:
  BufferedServer();

private:
  bool process_and_close_socket(socket_t sock) override;
};

}  // namespace pipeline::runner::services
