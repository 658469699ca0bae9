// EngineClient: execs in a running container, attached streams, and files in and out of it.
#include "runner/docker/engine_client.hpp"

#include "runner/docker/engine_json.hpp"
#include "runner/docker/frame_decoder.hpp"
#include "workflow/base/text_encoding.hpp"

namespace pipeline::runner::docker {

using namespace engine_json;

Result<std::string> EngineClient::create_exec(const std::string& container, const ExecConfig& config, Wait wait) {
  json body{{"AttachStdout", true}, {"AttachStderr", true}, {"AttachStdin", false}, {"Tty", false},
            {"Cmd", config.cmd}, {"Env", config.env}};
  if (!config.working_dir.empty()) {
    body["WorkingDir"] = config.working_dir;
  }
  if (!config.user.empty()) {
    body["User"] = config.user;
  }
  auto response = call_json("POST", "/containers/" + container + "/exec", body, wait);
  if (auto ok = expect_ok("creating an exec in " + container.substr(0, 12), response); !ok) {
    return ok.error();
  }
  return id_in(response->body);
}

Result<StreamEnd> EngineClient::start_exec(const std::string& exec_id, OutputSink& sink, const KeepGoing& keep_going) {
  HttpRequest request;
  request.method = "POST";
  request.path = path("/exec/" + exec_id + "/start");
  request.body = R"({"Detach":false,"Tty":false})";
  request.content_type = "application/json";
  auto stream = m_http.upgrade(request);
  if (!stream) {
    return stream.error();
  }
  return read_multiplexed(**stream, sink, keep_going);
}

Result<std::unique_ptr<RawStream>> EngineClient::attach_container(const std::string& id) {
  HttpRequest request;
  request.method = "POST";
  request.path = path("/containers/" + id + "/attach?stream=1&stdout=1&stderr=1");
  return m_http.upgrade(request);
}

Result<StreamEnd> EngineClient::read_multiplexed(RawStream& stream, OutputSink& sink, const KeepGoing& keep_going) {
  FrameDecoder decoder;
  std::string buffer;
  while (true) {
    buffer.clear();
    auto status = stream.read(buffer, k_engine_poll);
    if (!status) {
      return status.error();
    }
    if (*status == ReadStatus::eof) {
      return StreamEnd::finished;
    }
    decoder.feed(buffer, sink);
    if (keep_going && !keep_going()) {
      return StreamEnd::interrupted;
    }
  }
}

Result<ExecInfo> EngineClient::inspect_exec(const std::string& exec_id) {
  auto response = call("GET", "/exec/" + exec_id + "/json");
  if (auto ok = expect_ok("inspecting exec " + exec_id.substr(0, 12), response); !ok) {
    return ok.error();
  }
  const json body = json::parse(response->body, nullptr, false);
  if (!body.is_object()) {
    return Error{"inspecting exec " + exec_id.substr(0, 12) + ": the engine's answer is not JSON"};
  }
  ExecInfo info;
  info.running = body.value("Running", false);
  info.exit_code = member(body, "ExitCode").is_number() ? member(body, "ExitCode").get<int>() : -1;
  info.pid = body.value("Pid", 0L);
  return info;
}

Result<void> EngineClient::put_archive(const std::string& container, const std::string& dir, const std::string& tar) {
  auto response = call("PUT", "/containers/" + container + "/archive?path=" + uri_escape(dir), tar, "application/x-tar");
  return expect_ok("copying into " + container.substr(0, 12) + ":" + dir, response);
}

Result<std::string> EngineClient::get_archive(const std::string& container, const std::string& file) {
  auto response = call("GET", "/containers/" + container + "/archive?path=" + uri_escape(file));
  if (auto ok = expect_ok("copying " + container.substr(0, 12) + ":" + file, response); !ok) {
    return ok.error();
  }
  return std::move(response->body);
}

Result<bool> EngineClient::path_exists(const std::string& container, const std::string& file) {
  auto response = call("HEAD", "/containers/" + container + "/archive?path=" + uri_escape(file));
  if (!response) {
    return response.error();
  }
  return response->status == 200;
}

}  // namespace pipeline::runner::docker
