#pragma once
// The agent's two ways of meeting pipe: one conversation on stdin/stdout (an engine exec), or a
// unix socket a kept container's own process listens on, one conversation per connection.
namespace pipeline::runner::agent {

/// Answers requests on stdin/stdout until stdin ends; the process's exit code.
[[nodiscard]] int serve_stdio();

/// Listens on the unix socket `path` and serves each connection in a child of its own, speaking
/// the same frames as serve_stdio; returns only when the socket cannot be made (exit code 1).
[[nodiscard]] int serve_socket(const char* path);

}  // namespace pipeline::runner::agent
