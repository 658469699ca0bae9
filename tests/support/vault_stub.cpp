// A stand-in for HashiCorp Vault (see vault_stub.hpp); not Vault itself.
#include "support/vault_stub.hpp"
#include <vector>
#include <mutex>
#include <filesystem>

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace pipeline::test {

using json = nlohmann::json;

struct VaultStub::State {
  struct Login {
    std::string mount;
    std::string id;      // role_id or role
    std::string secret;  // secret_id or jwt
    std::string token;
  };
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  int port = 0;
  bool tls = false;
  mutable std::mutex mutex;
  std::map<std::string, int> mounts;                               // ns|mount → version
  std::map<std::string, std::map<std::string, std::string>> data;  // ns|mount/path → keys
  std::set<std::string> tokens;                                    // ns|token
  std::vector<std::string> denied;
  std::vector<Login> logins;
  int fail_412 = 0;
  std::vector<std::string> requests;
  std::vector<std::string> namespaces;

  void error(httplib::Response& res, int status, const std::string& message) const {
    res.status = status;
    res.set_content(json{{"errors", message.empty() ? json::array() : json::array({message})}}.dump(),
                    "application/json");
  }

  /// The mount a path lies under (longest match), "" when none.
  std::string mount_of(const std::string& ns, const std::string& path) const {
    std::string best;
    for (const auto& [key, version] : mounts) {
      const auto bar = key.find('|');
      if (key.substr(0, bar) != ns) {
        continue;
      }
      const std::string mount = key.substr(bar + 1);
      if ((path == mount || path.rfind(mount + "/", 0) == 0) && mount.size() > best.size()) {
        best = mount;
      }
    }
    return best;
  }

  void mounts_lookup(const std::string& ns, const std::string& path, httplib::Response& res) const {
    const std::string mount = mount_of(ns, path);
    if (mount.empty()) {
      error(res, 403, "preflight capability check returned 403, please ensure client's policies grant access to path \"" +
                          path + "/\"");
      return;
    }
    const int version = mounts.at(ns + "|" + mount);
    json options = version == 2 ? json{{"version", "2"}} : json(nullptr);
    res.set_content(json{{"data", {{"path", mount + "/"}, {"type", "kv"}, {"options", options}}}}.dump(),
                    "application/json");
  }

  void kv_read(const std::string& ns, const std::string& path, httplib::Response& res) {
    for (const auto& prefix : denied) {
      if (path.rfind(prefix, 0) == 0) {
        error(res, 403, "1 error occurred:\n\t* permission denied\n\n");
        return;
      }
    }
    if (fail_412 > 0) {
      --fail_412;
      error(res, 412, "required index state not present");
      return;
    }
    const std::string mount = mount_of(ns, path);
    if (mount.empty()) {
      error(res, 404, "no handler for route \"" + path + "\". route entry not found.");
      return;
    }
    const int version = mounts.at(ns + "|" + mount);
    std::string rest = path.substr(std::min(path.size(), mount.size() + 1));
    if (version == 2) {
      if (rest.rfind("data/", 0) != 0) {
        error(res, 404, "");  // Vault's KV v2 has no such route either
        return;
      }
      rest = rest.substr(5);
    }
    const auto it = data.find(ns + "|" + mount + "/" + rest);
    if (it == data.end()) {
      error(res, 404, "");
      return;
    }
    json values = json::object();
    for (const auto& [key, value] : it->second) {
      values[key] = value;
    }
    const json body = version == 2 ? json{{"data", {{"data", values}, {"metadata", {{"version", 1}}}}}}
                                   : json{{"data", values}, {"lease_duration", 2764800}};
    res.set_content(body.dump(), "application/json");
  }

  void get(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    const std::string ns = req.get_header_value("X-Vault-Namespace");
    requests.push_back("GET " + req.path);
    namespaces.push_back(ns);
    if (!tokens.count(ns + "|" + req.get_header_value("X-Vault-Token"))) {
      error(res, 403, "permission denied");
      return;
    }
    const std::string path = req.matches[1];
    const std::string lookup_prefix = "sys/internal/ui/mounts/";
    if (path.rfind(lookup_prefix, 0) == 0) {
      mounts_lookup(ns, path.substr(lookup_prefix.size()), res);
    } else {
      kv_read(ns, path, res);
    }
  }

  void login(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    requests.push_back("POST " + req.path);
    namespaces.push_back(req.get_header_value("X-Vault-Namespace"));
    const std::string mount = req.matches[1];
    json body;
    try {
      body = json::parse(req.body);
    } catch (const std::exception&) {
      error(res, 400, "failed to parse JSON input");
      return;
    }
    const bool approle = body.contains("role_id");
    const std::string id = body.value(approle ? "role_id" : "role", "");
    const std::string secret = body.value(approle ? "secret_id" : "jwt", "");
    for (const auto& login : logins) {
      if (login.mount == mount && login.id == id && login.secret == secret) {
        res.set_content(json{{"auth", {{"client_token", login.token}, {"lease_duration", 3600}}}}.dump(),
                        "application/json");
        return;
      }
    }
    error(res, approle ? 400 : 400, approle ? "invalid role or secret ID" : "error validating token");
  }
};

TestCertificates make_test_certificates(const std::string& dir) {
  const std::string quiet = " >/dev/null 2>&1";
  const std::string commands[] = {
      "openssl req -x509 -newkey rsa:2048 -nodes -keyout '" + dir + "/ca.key' -out '" + dir +
          "/ca.crt' -days 2 -subj /CN=pipe-test-ca" + quiet,
      "openssl req -newkey rsa:2048 -nodes -keyout '" + dir + "/server.key' -out '" + dir +
          "/server.csr' -subj /CN=127.0.0.1" + quiet,
      "printf 'subjectAltName=IP:127.0.0.1\\n' > '" + dir + "/ext.cnf'",
      "openssl x509 -req -in '" + dir + "/server.csr' -CA '" + dir + "/ca.crt' -CAkey '" + dir +
          "/ca.key' -CAcreateserial -out '" + dir + "/server.crt' -days 2 -extfile '" + dir + "/ext.cnf'" + quiet,
  };
  for (const auto& command : commands) {
    if (std::system(command.c_str()) != 0) {
      throw std::runtime_error("vault stub: openssl failed: " + command);
    }
  }
  return {dir + "/ca.crt", dir + "/server.crt", dir + "/server.key"};
}

namespace {

/// Removes every directory make_temp_dir made when the test process exits: they hold test
/// tokens and secrets, which must not be left behind.
class TempDirs {
public:
  ~TempDirs() {
    for (const auto& dir : m_dirs) {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  }
  void add(std::string dir) {
    std::lock_guard lock(m_mutex);
    m_dirs.push_back(std::move(dir));
  }

private:
  std::mutex m_mutex;
  std::vector<std::string> m_dirs;
};

TempDirs& temp_dirs() {
  static TempDirs dirs;
  return dirs;
}

}  // namespace

std::string make_temp_dir(const std::string& tag) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/pipe-" + tag + "-XXXXXX";
  if (!mkdtemp(pattern.data())) {
    throw std::runtime_error("cannot create a temporary directory");
  }
  temp_dirs().add(pattern);
  return pattern;
}

VaultStub::VaultStub(const StubTls& tls) : m_state(std::make_unique<State>()) {
  if (tls.cert_file.empty()) {
    m_state->server = std::make_unique<httplib::Server>();
  } else {
    m_state->server = std::make_unique<httplib::SSLServer>(tls.cert_file.c_str(), tls.key_file.c_str());
    m_state->tls = true;
  }
  State* state = m_state.get();
  m_state->server->Get(R"(/v1/(.+))",
                       [state](const httplib::Request& req, httplib::Response& res) { state->get(req, res); });
  m_state->server->Post(R"(/v1/auth/(.+)/login)",
                        [state](const httplib::Request& req, httplib::Response& res) { state->login(req, res); });
  m_state->port = m_state->server->bind_to_any_port("127.0.0.1");
  if (m_state->port <= 0) {
    throw std::runtime_error("vault stub: cannot bind 127.0.0.1");
  }
  m_state->thread = std::thread([state] { state->server->listen_after_bind(); });
  while (!m_state->server->is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

VaultStub::~VaultStub() {
  m_state->server->stop();
  m_state->thread.join();
}

std::string VaultStub::address() const {
  return std::string(m_state->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(m_state->port);
}

void VaultStub::add_mount(const std::string& mount, int version, const std::string& ns) {
  std::lock_guard lock(m_state->mutex);
  m_state->mounts[ns + "|" + mount] = version;
}

void VaultStub::put(const std::string& mount, const std::string& path, const std::map<std::string, std::string>& data,
                    const std::string& ns) {
  std::lock_guard lock(m_state->mutex);
  m_state->data[ns + "|" + mount + "/" + path] = data;
}

void VaultStub::add_token(const std::string& token, const std::string& ns) {
  std::lock_guard lock(m_state->mutex);
  m_state->tokens.insert(ns + "|" + token);
}

void VaultStub::deny(const std::string& path_prefix) {
  std::lock_guard lock(m_state->mutex);
  m_state->denied.push_back(path_prefix);
}

void VaultStub::add_approle(const std::string& role_id, const std::string& secret_id, const std::string& token,
                            const std::string& mount) {
  std::lock_guard lock(m_state->mutex);
  m_state->logins.push_back({mount, role_id, secret_id, token});
}

void VaultStub::add_jwt_role(const std::string& role, const std::string& jwt, const std::string& token,
                             const std::string& mount) {
  std::lock_guard lock(m_state->mutex);
  m_state->logins.push_back({mount, role, jwt, token});
}

void VaultStub::fail_reads_with_412(int count) {
  std::lock_guard lock(m_state->mutex);
  m_state->fail_412 = count;
}

std::vector<std::string> VaultStub::requests() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->requests;
}

std::vector<std::string> VaultStub::namespaces_seen() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->namespaces;
}

}  // namespace pipeline::test
