#include "runner/services/twirp.hpp"

#include <httplib.h>

namespace pipeline::runner::services {

namespace {

struct CodeInfo {
  const char* name;
  int status;
};

CodeInfo info(TwirpCode code) {
  switch (code) {
    case TwirpCode::invalid_argument: return {"invalid_argument", 400};
    case TwirpCode::not_found: return {"not_found", 404};
    case TwirpCode::already_exists: return {"already_exists", 409};
    case TwirpCode::permission_denied: return {"permission_denied", 403};
    case TwirpCode::failed_precondition: return {"failed_precondition", 412};
    case TwirpCode::internal: break;
  }
  return {"internal", 500};
}

}  // namespace

void twirp_error(httplib::Response& response, TwirpCode code, const std::string& message) {
  const CodeInfo code_info = info(code);
  response.status = code_info.status;
  response.set_content(nlohmann::json{{"code", code_info.name}, {"msg", message}}.dump(), "application/json");
}

void twirp_reply(httplib::Response& response, const nlohmann::json& body) {
  response.status = 200;
  response.set_content(body.dump(), "application/json");
}

std::optional<nlohmann::json> twirp_body(const httplib::Request& request, httplib::Response& response) {
  auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (!body.is_object()) {
    twirp_error(response, TwirpCode::invalid_argument, "the request body is not a JSON object");
    return std::nullopt;
  }
  return body;
}

std::string json_string(const nlohmann::json& body, const char* key) {
  const auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace pipeline::runner::services
