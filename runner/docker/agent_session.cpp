#include "runner/docker/agent_session.hpp"

#include "runner/docker/kept_agent.hpp"

namespace pipeline::runner::docker {
namespace {

using agent::FrameType;
using Clock = std::chrono::steady_clock;

// How often a running step looks at its cancel token and deadline between reads.
constexpr std::chrono::milliseconds k_step_poll{20};
// An agent that says nothing this long after its exec started is not going to.
constexpr std::chrono::seconds k_hello_wait{15};
// A listening agent forks and greets at once; one that does not is stuck (a paused container),
// and the exec path is the faster way on.
constexpr std::chrono::seconds k_socket_hello_wait{5};
// How long a stopped step's exit may take to arrive (the agent kills after 500 ms): past it the
// engine or the agent is stuck, and the step ends as an exec's would, killed, without its agent.
constexpr std::chrono::seconds k_stop_wait{15};
// The exit code of a step pipe gave up waiting for, as the engine reports a SIGKILLed exec.
constexpr int k_killed_code = 137;

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

}  // namespace

void AgentSession::Demux::write(Stream stream, std::string_view bytes) {
  if (stream == Stream::out) {
    frames.feed(bytes);
  } else {
    complaints.append(bytes);
  }
}

Result<std::unique_ptr<AgentSession>> AgentSession::start(EngineClient& client, const std::string& container,
                                                          const std::string& path) {
  ExecConfig config;
  config.cmd = {path};
  auto exec_id = client.create_stdin_exec(container, config);
  if (!exec_id) {
    return exec_id.error();
  }
  auto stream = client.open_exec(*exec_id);
  if (!stream) {
    return stream.error();
  }
  return greeted(std::unique_ptr<AgentSession>(new AgentSession(std::move(*stream), Framing::multiplexed)));
}

Result<std::unique_ptr<AgentSession>> AgentSession::connect(const std::string& socket) {
  auto stream = connect_kept_agent(socket);
  if (!stream) {
    return stream.error();
  }
  return greeted(std::unique_ptr<AgentSession>(new AgentSession(std::move(*stream), Framing::plain)));
}

Result<std::unique_ptr<AgentSession>> AgentSession::greeted(std::unique_ptr<AgentSession> session) {
  auto hello = session->await_hello(session->m_framing == Framing::plain ? k_socket_hello_wait : k_hello_wait);
  if (!hello) {
    return hello.error();
  }
  if (hello->payload != agent::k_protocol_version) {
    return Error{"the agent speaks protocol " + hello->payload + ", pipe speaks " + std::string(agent::k_protocol_version)};
  }
  return session;
}

Result<bool> AgentSession::read_some(std::chrono::milliseconds wait) {
  std::string buffer;
  auto status = m_stream->read(buffer, wait);
  if (!status) {
    return status.error();
  }
  if (*status == ReadStatus::eof) {
    return false;
  }
  if (m_framing == Framing::plain) {
    m_demux.frames.feed(buffer);
  } else {
    m_decoder.feed(buffer, m_demux);
  }
  return true;
}

// Whatever the exec printed instead of a hello (the runtime's "permission denied", a shell's
// "not found") becomes the reason.
Result<agent::Frame> AgentSession::await_hello(std::chrono::seconds wait) {
  const auto give_up = Clock::now() + wait;
  while (Clock::now() < give_up) {
    if (auto frame = m_demux.frames.next()) {
      if (frame->type == FrameType::hello) {
        return *frame;
      }
      break;
    }
    if (m_demux.frames.corrupt()) {
      break;
    }
    auto more = read_some(k_step_poll);
    if (!more) {
      return more.error();
    }
    if (!*more) {
      break;
    }
  }
  std::string said = trimmed(m_demux.complaints);
  return Error{said.empty() ? "the agent did not start" : said};
}

Result<ExitStatus> AgentSession::run(const ExecSpec& spec, const std::string& marker_line, OutputSink& sink) {
  agent::Request request;
  request.argv = spec.argv;
  for (const auto& [name, value] : spec.env) {
    request.env.push_back(name + "=" + value);
  }
  request.env.push_back(marker_line);
  request.cwd = spec.cwd;
  request.timeout_ms = static_cast<std::uint64_t>(spec.timeout.count());
  if (auto sent = m_stream->write(agent::encode_frame(FrameType::request, agent::encode_request(request))); !sent) {
    return Error{"the step agent stopped before the step started: " + sent.error().message};
  }
  ExitStatus result;
  const auto deadline = Clock::now() + spec.timeout;
  bool stop_sent = false;
  auto stop_deadline = Clock::time_point::max();
  while (true) {
    while (auto frame = m_demux.frames.next()) {
      if (frame->type == FrameType::out || frame->type == FrameType::err) {
        sink.write(frame->type == FrameType::out ? Stream::out : Stream::err, frame->payload);
      } else if (frame->type == FrameType::exit) {
        auto exit = agent::decode_exit(frame->payload);
        if (!exit) {
          return Error{"the step agent sent a malformed exit frame"};
        }
        result.code = exit->status;
        // The agent's own clock is a backstop; what pipe decided is what the step reports.
        result.timed_out = result.timed_out || (!stop_sent && exit->timed_out);
        return result;
      }
    }
    if (m_demux.frames.corrupt()) {
      return Error{"the step agent's output stream is corrupt"};
    }
    if (!stop_sent) {
      result.cancelled = spec.cancel != nullptr && spec.cancel->cancelled();
      result.timed_out = !result.cancelled && spec.timeout.count() > 0 && Clock::now() >= deadline;
      if (result.cancelled || result.timed_out) {
        stop_sent = true;
        stop_deadline = Clock::now() + k_stop_wait;
        if (auto sent = m_stream->write(agent::encode_frame(FrameType::cancel, "")); !sent) {
          return Error{"the step agent stopped while running the step: " + sent.error().message};
        }
      }
    }
    if (Clock::now() >= stop_deadline) {
      m_broken = true;
      result.code = k_killed_code;
      return result;
    }
    auto more = read_some(k_step_poll);
    if (!more || !*more) {
      const std::string said = trimmed(m_demux.complaints);
      return Error{"the step agent stopped while running the step (the step may have killed it)" +
                   (said.empty() ? std::string() : ": " + said)};
    }
  }
}

}  // namespace pipeline::runner::docker
