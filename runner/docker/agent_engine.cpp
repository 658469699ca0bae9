// The Engine API calls only the step agent needs: an exec whose stdin stays open, and its
// connection handed over whole.
#include <nlohmann/json.hpp>

#include "runner/docker/engine_client.hpp"

namespace pipeline::runner::docker {

Result<std::string> EngineClient::create_stdin_exec(const std::string& container, const ExecConfig& config) {
  nlohmann::json body{{"AttachStdout", true}, {"AttachStderr", true}, {"AttachStdin", true}, {"Tty", false},
                      {"Cmd", config.cmd}, {"Env", config.env}};
  if (!config.working_dir.empty()) {
    body["WorkingDir"] = config.working_dir;
  }
  if (!config.user.empty()) {
    body["User"] = config.user;
  }
  auto response = call_json("POST", "/containers/" + container + "/exec", body);
  if (auto ok = expect_ok("creating the step agent's exec in " + container.substr(0, 12), response); !ok) {
    return ok.error();
  }
  auto parsed = nlohmann::json::parse(response->body, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("Id") || !parsed["Id"].is_string()) {
    return Error{"the Docker engine answered an exec create without an Id: " + response->body};
  }
  return parsed["Id"].get<std::string>();
}

Result<std::unique_ptr<RawStream>> EngineClient::open_exec(const std::string& exec_id) {
  HttpRequest request;
  request.method = "POST";
  request.path = path("/exec/" + exec_id + "/start");
  request.body = R"({"Detach":false,"Tty":false})";
  request.content_type = "application/json";
  return m_http.upgrade(request);
}

}  // namespace pipeline::runner::docker
