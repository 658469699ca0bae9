#pragma once
// The Connect client of a Gitea/Forgejo Actions server: unary calls as HTTP POSTs of JSON to
// `<instance>/api/actions/<service>/<method>`, authenticated by the runner's uuid and token.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/forge/messages.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::forge {

/// Whether the server's TLS certificate is checked (`insecure: true` skips it).
enum class TlsCheck { verify, skip };

/// The service paths pipe calls.
inline constexpr std::string_view k_ping = "ping.v1.PingService/Ping";
inline constexpr std::string_view k_register = "runner.v1.RunnerService/Register";
inline constexpr std::string_view k_declare = "runner.v1.RunnerService/Declare";
inline constexpr std::string_view k_fetch_task = "runner.v1.RunnerService/FetchTask";
inline constexpr std::string_view k_update_task = "runner.v1.RunnerService/UpdateTask";
inline constexpr std::string_view k_update_log = "runner.v1.RunnerService/UpdateLog";

/// How long a call other than FetchTask may take.
inline constexpr std::chrono::seconds k_call_timeout{30};

/// One server, one runner identity; safe to use from several threads (a handle per call).
class ForgeClient {
public:
  /// `instance` is the forge's base URL (https://forge.example); uuid and token may be empty
  /// before registration.
  ForgeClient(std::string instance, TlsCheck tls, std::string uuid = {}, std::string token = {});

  /// POSTs `body` to `method` and returns the decoded answer. A Connect error body becomes
  /// "<method>: <code>: <message> (HTTP <status>)"; a transport failure names its cause.
  [[nodiscard]] Result<nlohmann::json> call(std::string_view method, const nlohmann::json& body,
                                            std::chrono::milliseconds timeout = k_call_timeout) const;

  /// Ping: checks the address answers as an Actions server.
  [[nodiscard]] Result<void> ping() const;
  /// Register: trades the registration token for the runner's uuid and token.
  [[nodiscard]] Result<RunnerInfo> register_runner(const std::string& name, const std::string& token,
                                                   const std::string& version,
                                                   const std::vector<std::string>& labels) const;
  /// Declare: tells the server this runner's version and labels at each start.
  [[nodiscard]] Result<RunnerInfo> declare(const std::string& version, const std::vector<std::string>& labels) const;
  /// FetchTask: a task when one waits; waits at most `timeout` for the answer.
  [[nodiscard]] Result<FetchAnswer> fetch_task(std::int64_t tasks_version, std::chrono::milliseconds timeout) const;
  /// UpdateTask: reports the state and outputs; the answer says whether the job was cancelled.
  [[nodiscard]] Result<UpdateTaskAnswer> update_task(const TaskState& state, const StringMap& outputs) const;
  /// UpdateLog: sends rows from `index`; returns the server's ack_index.
  [[nodiscard]] Result<std::int64_t> update_log(std::int64_t task_id, std::int64_t index,
                                                const std::vector<LogRow>& rows, bool no_more) const;

  /// The instance URL as given.
  [[nodiscard]] const std::string& instance() const { return m_instance; }

private:
  std::string m_instance;
  std::string m_base;  // <instance>/api/actions/
  TlsCheck m_tls;
  std::string m_uuid;
  std::string m_token;
};

/// A Connect error body (`{"code","message"}`) as "code: message"; the start of the raw body
/// when it is not one.
[[nodiscard]] std::string connect_error_text(const std::string& body);

}  // namespace pipeline::runner::forge
