#pragma once
// One running pipe-agent in a job container: an exec with attached stdio that runs steps on request.
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

  /// Runs one step. An error means the agent is gone (the step killed it, or it crashed):
  /// the session must not be used again.
  [[nodiscard]] Result<ExitStatus> run(const ExecSpec& spec, const std::string& marker_line, OutputSink& sink);
  /// True when a stopped step's exit never came: the session must not run another step.
  [[nodiscard]] bool broken() const { return m_broken; }

private:
  explicit AgentSession(std::unique_ptr<RawStream> stream) : m_stream(std::move(stream)) {}
  /// Reads once (waiting up to `wait`), decoding into m_frames; false when the stream ended.
  [[nodiscard]] Result<bool> read_some(std::chrono::milliseconds wait);
  [[nodiscard]] Result<agent::Frame> await_hello();

  /// Splits the exec's multiplexed output: stdout carries frames, stderr the agent's own complaints.
  class Demux final : public OutputSink {
  public:
    void write(Stream stream, std::string_view bytes) override;
    agent::FrameReader frames;
    std::string complaints;
  };

  std::unique_ptr<RawStream> m_stream;
  FrameDecoder m_decoder;
  Demux m_demux;
  bool m_broken = false;
};

}  // namespace pipeline::runner::docker
