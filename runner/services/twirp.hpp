#pragma once
// Twirp over JSON, the protocol of GitHub's results services (artifacts, cache v2): a POST per
// method with a JSON body, errors as `{"code": ..., "msg": ...}` with the code's HTTP status.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace pipeline::runner::services {

/// Twirp's error codes that services answer with.
enum class TwirpCode { invalid_argument, not_found, already_exists, permission_denied, failed_precondition, internal };

/// Writes a Twirp error: the code's HTTP status and its JSON body.
void twirp_error(httplib::Response& response, TwirpCode code, const std::string& message);

/// Writes a Twirp success body.
void twirp_reply(httplib::Response& response, const nlohmann::json& body);

/// The request's JSON object; nullopt (after answering invalid_argument) when it is not one.
[[nodiscard]] std::optional<nlohmann::json> twirp_body(const httplib::Request& request, httplib::Response& response);

/// The string member `key` of `body`, or "" when it is absent or not a string.
[[nodiscard]] std::string json_string(const nlohmann::json& body, const char* key);

}  // namespace pipeline::runner::services
