#include "runner/agent/serve.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "runner/agent/channel.hpp"
#include "runner/agent/protocol.hpp"
#include "runner/agent/step.hpp"

namespace pipeline::runner::agent {
namespace {

// The socket is owner-only and belongs to whoever owns its directory (pipe's user on the host),
// so only that user can hand the agent a step, whatever user the container runs as.
void restrict_to_dir_owner(const std::string& path) {
  ::chmod(path.c_str(), 0600);
  const std::string dir = path.substr(0, path.rfind('/') == std::string::npos ? 0 : path.rfind('/'));
  struct stat owner {};
  if (!dir.empty() && ::stat(dir.c_str(), &owner) == 0) {
    [[maybe_unused]] int ignored = ::chown(path.c_str(), owner.st_uid, owner.st_gid);
  }
}

int listening_socket(const char* path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (std::strlen(path) >= sizeof address.sun_path) {
    std::fprintf(stderr, "pipe-agent: socket path too long: %s\n", path);
    return -1;
  }
  std::strcpy(address.sun_path, path);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  ::unlink(path);  // a socket left by a container that went
  const mode_t old_mask = ::umask(0177);
  const bool bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::umask(old_mask);
  if (!bound || ::listen(fd, 16) != 0) {
    std::fprintf(stderr, "pipe-agent: cannot listen on %s: %s\n", path, std::strerror(errno));
    ::close(fd);
    return -1;
  }
  restrict_to_dir_owner(path);
  return fd;
}

}  // namespace

int serve_stdio() {
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

int serve_socket(const char* path) {
  const int listener = listening_socket(path);
  if (listener < 0) {
    return 1;
  }
  // Connections' children are reaped by the kernel; each child restores SIGCHLD for its steps.
  ::signal(SIGCHLD, SIG_IGN);
  while (true) {
    const int connection = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) {
      continue;  // EINTR, or a peer that left before it was accepted
    }
    const pid_t child = ::fork();
    if (child == 0) {
      ::close(listener);
      ::signal(SIGCHLD, SIG_DFL);
      // The conversation is the stdio one, on the socket: stdin and stdout are the connection.
      ::dup2(connection, 0);
      ::dup2(connection, 1);
      ::close(connection);
      ::_exit(serve_stdio());
    }
    ::close(connection);
  }
}

}  // namespace pipeline::runner::agent
