#pragma once
// One running pipe-agent in a job container: an exec with attached stdio, or a connection to the
// socket a kept container's agent listens on; either runs steps on request.
#include <chrono>
#include <memory>
#include <string>

#include "runner/agent/protocol.hpp"
#include "runner/backend/backend.hpp"
#include "runner/docker/engine_client.hpp"
#include "runner/docker/frame_decoder.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::docker {

/// A started agent; used by one step at a time.
class AgentSession {
public:
  /// Starts the agent at `path` in `container` and waits for its hello; the error carries what
  /// the engine or the agent said (a noexec mount, a missing file, an exotic architecture).
  [[nodiscard]] static Result<std::unique_ptr<AgentSession>> start(EngineClient& client, const std::string& container,
                                                                  const std::string& path);

  /// Connects to the agent listening on `socket` (a kept container's) and waits for its hello.
  [[nodiscard]] static Result<std::unique_ptr<AgentSession>> connect(const std::string& socket);

  /// Runs one step. An error means the agent is gone (the step killed it, or it crashed):
  /// the session must not be used again.
  [[nodiscard]] Result<ExitStatus> run(const ExecSpec& spec, const std::string& marker_line, OutputSink& sink);
  /// True when a stopped step's exit never came: the session must not run another step.
  [[nodiscard]] bool broken() const { return m_broken; }

private:
  /// How the agent's bytes arrive: in the engine's stdout/stderr frames, or as they are.
  enum class Framing { multiplexed, plain };

  AgentSession(std::unique_ptr<RawStream> stream, Framing framing)
      : m_stream(std::move(stream)), m_framing(framing) {}
  /// Waits for the hello of a session just opened and checks its protocol version.
  [[nodiscard]] static Result<std::unique_ptr<AgentSession>> greeted(std::unique_ptr<AgentSession> session);
  /// Reads once (waiting up to `wait`), decoding into m_frames; false when the stream ended.
  [[nodiscard]] Result<bool> read_some(std::chrono::milliseconds wait);
  [[nodiscard]] Result<agent::Frame> await_hello(std::chrono::seconds wait);

  /// Splits the exec's multiplexed output: stdout carries frames, stderr the agent's own complaints.
  class Demux final : public OutputSink {
  public:
    void write(Stream stream, std::string_view bytes) override;
    agent::FrameReader frames;
    std::string complaints;
  };

  std::unique_ptr<RawStream> m_stream;
  Framing m_framing;
  FrameDecoder m_decoder;
  Demux m_demux;
  bool m_broken = false;
};

}  // namespace pipeline::runner::docker
