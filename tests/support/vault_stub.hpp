#pragma once
// A stand-in for HashiCorp Vault, for tests: a small HTTP(S) server on 127.0.0.1 speaking the
// parts of Vault's documented API pipe uses. It is not Vault. Endpoints:
//   GET  /v1/sys/internal/ui/mounts/<path>  mount lookup: data.path, data.type, data.options.version
//   GET  /v1/<mount>/data/<path>            KV v2 read: data.data, data.metadata
//   GET  /v1/<mount>/<path>                 KV v1 read: data
//   POST /v1/auth/<mount>/login             AppRole {role_id, secret_id} or JWT {role, jwt}
// Requests carry X-Vault-Token; X-Vault-Namespace selects a namespace (each has its own
// mounts and tokens). Errors are {"errors": [...]}: 403 bad token or denied path, 404 unknown
// path, 412 a configurable number of times before the first success (a standby catching up).
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace pipeline::test {

/// TLS material for the stub; empty: plain HTTP.
struct StubTls {
  std::string cert_file;
  std::string key_file;
};

/// A test CA and a server certificate for 127.0.0.1 it signed, made with the openssl CLI.
struct TestCertificates {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};

/// Writes a fresh CA and server certificate into `dir`; throws when openssl fails.
[[nodiscard]] TestCertificates make_test_certificates(const std::string& dir);

/// A fresh empty directory under TMPDIR (not removed: tests may inspect it after a failure).
[[nodiscard]] std::string make_temp_dir(const std::string& tag);

/// The Vault stand-in; serves from construction until destruction.
class VaultStub {
public:
  explicit VaultStub(const StubTls& tls = {});
  ~VaultStub();
  VaultStub(const VaultStub&) = delete;
  VaultStub& operator=(const VaultStub&) = delete;

  /// http(s)://127.0.0.1:<port>
  [[nodiscard]] std::string address() const;

  /// Adds a KV mount (`secret`, version 1 or 2) in a namespace ("" is the root).
  void add_mount(const std::string& mount, int version, const std::string& ns = "");

  /// Stores a secret at `mount/path` (path without `data/`); values are strings.
  void put(const std::string& mount, const std::string& path, const std::map<std::string, std::string>& data,
           const std::string& ns = "");

  /// Accepts `token` in namespace `ns`.
  void add_token(const std::string& token, const std::string& ns = "");

  /// Refuses every read under `path_prefix` (e.g. `secret/data/prod`) with 403.
  void deny(const std::string& path_prefix);

  /// AppRole at auth/<mount>: the pair logs in as `token`.
  void add_approle(const std::string& role_id, const std::string& secret_id, const std::string& token,
                   const std::string& mount = "approle");

  /// JWT at auth/<mount>: `role` with exactly `jwt` logs in as `token`.
  void add_jwt_role(const std::string& role, const std::string& jwt, const std::string& token,
                    const std::string& mount = "jwt");

  /// The next `count` KV reads answer 412 before serving.
  void fail_reads_with_412(int count);

  /// Every request path seen, in order ("GET /v1/...").
  [[nodiscard]] std::vector<std::string> requests() const;

  /// Every X-Vault-Namespace header value seen, in order ("" when absent).
  [[nodiscard]] std::vector<std::string> namespaces_seen() const;

  struct State;

private:
  std::unique_ptr<State> m_state;
};

}  // namespace pipeline::test
