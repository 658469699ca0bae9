#pragma once
// A HashiCorp Vault client: login (token, AppRole, JWT) and KV v1/v2 reads over HTTPS.
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "runner/secrets/dotenv.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::secrets {

/// How pipe obtains a Vault token.
enum class VaultAuth { token, approle, jwt };

/// Whether the server's TLS certificate is checked.
enum class TlsVerify { verify, skip };

/// Everything needed to talk to one Vault server; credentials are values, never logged.
struct VaultSettings {
  std::string address;          // e.g. https://vault.example.com:8200
  std::string vault_namespace;  // sent as X-Vault-Namespace when not empty
  std::string cacert;           // CA bundle file
  std::string capath;           // directory of CA certificates
  TlsVerify tls = TlsVerify::verify;
  VaultAuth auth = VaultAuth::token;
  std::string mount;      // auth mount; empty: "approle" or "jwt"
  std::string token;      // VaultAuth::token
  std::string role_id;    // VaultAuth::approle
  std::string secret_id;  // VaultAuth::approle
  std::string role;       // VaultAuth::jwt
  std::string jwt;        // VaultAuth::jwt
  std::chrono::milliseconds retry_budget{10000};  // total time spent retrying 412/429/5xx
};

/// Where the settings' text comes from, before credentials are read.
struct VaultSources {
  std::string address;
  std::string vault_namespace;
  std::string cacert;
  std::string capath;
  std::string skip_verify;  // "true"/"1" skip; empty or anything else verify
  std::string auth_method;  // token | approle | jwt; empty: token
  std::string role;
  std::string role_id_file;
  std::string secret_id_file;
  std::string jwt_file;
  std::string mount;
};

/// Fills settings: the environment (VAULT_ADDR, VAULT_NAMESPACE, VAULT_CACERT, VAULT_CAPATH,
/// VAULT_SKIP_VERIFY, VAULT_TOKEN, VAULT_ROLE_ID, VAULT_SECRET_ID) wins over `sources`; the
/// token falls back to ~/.vault-token; role and secret ids and the JWT come from their files.
[[nodiscard]] Result<VaultSettings> resolve_vault_settings(const VaultSources& sources, const Lookup& env);

/// One KV secret: each key with its value as text (non-string values as JSON).
using VaultData = std::map<std::string, std::string>;

/// A logged-in session with one Vault server.
class VaultClient {
public:
  explicit VaultClient(VaultSettings settings);

  /// Obtains a token (AppRole or JWT login); token auth only checks one is present.
  [[nodiscard]] Result<void> login();

  /// Reads a KV secret, written `mount/rest` or (KV v2) `mount/data/rest`; the KV version
  /// comes from the mount. A 403 names the path that was refused.
  [[nodiscard]] Result<VaultData> read(std::string_view path);

  /// Requests sent so far, retries included.
  [[nodiscard]] int requests_sent() const { return m_requests; }

private:
  struct Response;
  struct Mount {
    std::string path;  // e.g. `secret`; empty when unknown
    int version = 1;
  };
  [[nodiscard]] Result<Mount> mount_of(const std::string& path);
  [[nodiscard]] static std::string kv_api_path(const std::string& path, const Mount& mount);
  [[nodiscard]] Result<Response> send(const std::string& method, const std::string& api_path,
                                      const std::string& body);
  [[nodiscard]] Result<Response> send_once(const std::string& method, const std::string& api_path,
                                           const std::string& body,
                                           std::chrono::milliseconds timeout);
  [[nodiscard]] std::string redact(std::string text) const;

  VaultSettings m_settings;
  int m_requests = 0;
};

}  // namespace pipeline::runner::secrets
