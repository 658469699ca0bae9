#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "runner/secrets/vault.hpp"
#include "support/vault_stub.hpp"

using namespace pipeline::runner::secrets;
using pipeline::test::VaultStub;

namespace {

Lookup env_of(std::map<std::string, std::string> values) {
  return [values](std::string_view name) -> std::optional<std::string> {
    const auto it = values.find(std::string(name));
    return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

VaultSettings token_settings(const VaultStub& stub, const std::string& token = "root-token") {
  VaultSettings s;
  s.address = stub.address();
  s.token = token;
  s.retry_budget = std::chrono::milliseconds(3000);
  return s;
}

void write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

/// A loopback TCP listener that is not Vault: each accepted connection goes to `on_accept`, which
/// returns the descriptor to keep open until stop() (or -1 when it closed it itself).
class LoopbackListener {
 public:
  explicit LoopbackListener(std::function<int(int)> on_accept) : m_on_accept(std::move(on_accept)) {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(m_fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t length = sizeof addr;
    REQUIRE(::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0);
    REQUIRE(::listen(m_fd, 16) == 0);
    m_port = ntohs(addr.sin_port);
    m_thread = std::thread([this] { serve(); });
  }
  ~LoopbackListener() { stop(); }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  [[nodiscard]] std::string address() const { return "http://127.0.0.1:" + std::to_string(m_port); }

  /// Stops accepting, closes what was kept, and returns how many connections were accepted.
  int stop() {
    if (m_thread.joinable()) {
      m_done = true;
      m_thread.join();
      for (const int fd : m_held) {
        ::close(fd);
      }
      ::close(m_fd);
    }
    return m_accepted;
  }

 private:
  void serve() {
    while (!m_done) {
      pollfd pfd{m_fd, POLLIN, 0};
      if (::poll(&pfd, 1, 20) > 0) {
        ++m_accepted;
        if (const int kept = m_on_accept(::accept(m_fd, nullptr, nullptr)); kept >= 0) {
          m_held.push_back(kept);
        }
      }
    }
  }

  std::function<int(int)> m_on_accept;
  int m_fd = -1;
  int m_port = 0;
  std::atomic<bool> m_done{false};
  int m_accepted = 0;
  std::vector<int> m_held;
  std::thread m_thread;
};

}  // namespace

TEST_CASE("Vault KV v2 reads with either path form", "[vault]") {
  VaultStub stub;
  stub.add_token("root-token");
  stub.add_mount("secret", 2);
  stub.put("secret", "ci/app", {{"token", "v2-value-1234"}, {"user", "bot"}});
  VaultClient client(token_settings(stub));
  REQUIRE(client.login());
  for (const char* path : {"secret/data/ci/app", "secret/ci/app", "/secret/ci/app/"}) {
    INFO(path);
    auto data = client.read(path);
    REQUIRE(data);
    CHECK(data->at("token") == "v2-value-1234");
    CHECK(data->at("user") == "bot");
  }
  const auto seen = stub.requests();
  CHECK(std::count(seen.begin(), seen.end(), "GET /v1/secret/data/ci/app") == 3);
  CHECK(std::count(seen.begin(), seen.end(), "GET /v1/sys/internal/ui/mounts/secret/ci/app") == 2);
}

TEST_CASE("Vault KV v1 reads", "[vault]") {
  VaultStub stub;
  stub.add_token("root-token");
  stub.add_mount("kv", 1);
  stub.put("kv", "ci/db", {{"password", "v1-password"}});
  VaultClient client(token_settings(stub));
  auto data = client.read("kv/ci/db");
  REQUIRE(data);
  CHECK(data->at("password") == "v1-password");
  auto missing = client.read("kv/ci/none");
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, Catch::Contains("kv/ci/none") && Catch::Contains("404"));
}

TEST_CASE("Vault namespaces travel in X-Vault-Namespace", "[vault]") {
  VaultStub stub;
  stub.add_token("team-token", "team-a");
  stub.add_mount("secret", 2, "team-a");
  stub.put("secret", "app", {{"k", "in-namespace"}}, "team-a");
  auto settings = token_settings(stub, "team-token");
  VaultClient outside(settings);
  CHECK_FALSE(outside.read("secret/app"));
  settings.vault_namespace = "team-a";
  VaultClient inside(settings);
  auto data = inside.read("secret/app");
  REQUIRE(data);
  CHECK(data->at("k") == "in-namespace");
  CHECK(stub.namespaces_seen().back() == "team-a");
}

TEST_CASE("Vault AppRole and JWT logins obtain a token", "[vault]") {
  VaultStub stub;
  stub.add_token("approle-token");
  stub.add_token("jwt-token");
  stub.add_mount("kv", 1);
  stub.put("kv", "x", {{"v", "value-x"}});
  stub.add_approle("role-1", "secret-1", "approle-token");
  stub.add_jwt_role("ci", "header.payload.sig", "jwt-token", "gitlab-jwt");
  const std::string dir = pipeline::test::make_temp_dir("vault");
  write(dir + "/role-id", "role-1\n");
  write(dir + "/secret-id", "secret-1\n");
  write(dir + "/jwt", "header.payload.sig\n");

  VaultSources approle{stub.address(), "", "", "", "", "approle", "", dir + "/role-id", dir + "/secret-id", "", ""};
  auto settings = resolve_vault_settings(approle, env_of({}));
  REQUIRE(settings);
  VaultClient client(*settings);
  REQUIRE(client.login());
  CHECK(client.read("kv/x"));

  auto from_env = resolve_vault_settings(approle, env_of({{"VAULT_ROLE_ID", "role-1"}, {"VAULT_SECRET_ID", "wrong"}}));
  REQUIRE(from_env);
  VaultClient wrong(*from_env);
  auto refused = wrong.login();
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, Catch::Contains("AppRole") && Catch::Contains("invalid role or secret ID"));
  CHECK_THAT(refused.error().message, !Catch::Contains("wrong"));

  VaultSources jwt{stub.address(), "", "", "", "", "jwt", "ci", "", "", dir + "/jwt", "gitlab-jwt"};
  auto jwt_settings = resolve_vault_settings(jwt, env_of({}));
  REQUIRE(jwt_settings);
  VaultClient jwt_client(*jwt_settings);
  REQUIRE(jwt_client.login());
  CHECK(jwt_client.read("kv/x"));
  CHECK(stub.requests().back() == "GET /v1/kv/x");
}

TEST_CASE("Vault settings: environment over config, token file fallback", "[vault]") {
  const std::string home = pipeline::test::make_temp_dir("vault-home");
  write(home + "/.vault-token", "file-token\n");
  VaultSources sources{"https://config:8200", "cfg-ns", "", "", "", "", "", "", "", "", ""};
  auto s = resolve_vault_settings(sources, env_of({{"HOME", home}, {"VAULT_NAMESPACE", "env-ns"}}));
  REQUIRE(s);
  CHECK(s->address == "https://config:8200");
  CHECK(s->vault_namespace == "env-ns");
  CHECK(s->token == "file-token");
  CHECK(s->tls == TlsVerify::verify);
  auto e = resolve_vault_settings(sources, env_of({{"VAULT_ADDR", "http://env:1/"}, {"VAULT_TOKEN", "env-token"},
                                                   {"VAULT_SKIP_VERIFY", "true"}}));
  REQUIRE(e);
  CHECK(e->address == "http://env:1");
  CHECK(e->token == "env-token");
  CHECK(e->tls == TlsVerify::skip);
  CHECK_FALSE(resolve_vault_settings(sources, env_of({{"HOME", "/nonexistent"}})));
  CHECK_FALSE(resolve_vault_settings(VaultSources{}, env_of({{"VAULT_TOKEN", "t"}})));
}

TEST_CASE("Vault 403 names the refused path and never the token", "[vault]") {
  VaultStub stub;
  stub.add_token("root-token");
  stub.add_mount("secret", 2);
  stub.put("secret", "prod/db", {{"p", "nope-nope"}});
  stub.deny("secret/data/prod");
  VaultClient client(token_settings(stub));
  auto denied = client.read("secret/prod/db");
  REQUIRE_FALSE(denied);
  CHECK_THAT(denied.error().message, Catch::Contains("'secret/prod/db'") && Catch::Contains("403") &&
                                         Catch::Contains("permission denied"));
  VaultClient bad(token_settings(stub, "bad-token-value"));
  auto refused = bad.read("secret/prod/db");
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, Catch::Contains("403") && !Catch::Contains("bad-token-value"));
}

TEST_CASE("Vault reads retry on 412 within the budget", "[vault]") {
  VaultStub stub;
  stub.add_token("root-token");
  stub.add_mount("kv", 1);
  stub.put("kv", "x", {{"v", "after-412"}});
  stub.fail_reads_with_412(3);
  VaultClient client(token_settings(stub));
  auto data = client.read("kv/x");
  REQUIRE(data);
  CHECK(data->at("v") == "after-412");
  CHECK(client.requests_sent() == 5);  // the mount lookup, three 412s, the read

  stub.fail_reads_with_412(1000);
  auto settings = token_settings(stub);
  settings.retry_budget = std::chrono::milliseconds(400);
  VaultClient impatient(settings);
  auto failed = impatient.read("kv/x");
  REQUIRE_FALSE(failed);
  CHECK_THAT(failed.error().message, Catch::Contains("412"));
}

TEST_CASE("Vault over TLS: verified with the CA, refused without, skip-verify", "[vault]") {
  const std::string dir = pipeline::test::make_temp_dir("vault-tls");
  const auto certs = pipeline::test::make_test_certificates(dir);
  VaultStub stub(pipeline::test::StubTls{certs.cert_file, certs.key_file});
  stub.add_token("root-token");
  stub.add_mount("kv", 1);
  stub.put("kv", "x", {{"v", "over-tls"}});
  REQUIRE(stub.address().rfind("https://", 0) == 0);

  auto settings = token_settings(stub);
  settings.cacert = certs.ca_file;
  auto verified = VaultClient(settings).read("kv/x");
  REQUIRE(verified);
  CHECK(verified->at("v") == "over-tls");

  const std::string ca_dir = dir + "/capath";
  REQUIRE(std::system(("mkdir -p '" + ca_dir + "' && cp '" + certs.ca_file + "' '" + ca_dir +
                       "/' && openssl rehash '" + ca_dir + "' >/dev/null 2>&1").c_str()) == 0);
  settings.cacert.clear();
  settings.capath = ca_dir;
  CHECK(VaultClient(settings).read("kv/x"));

  settings.capath.clear();
  auto refused = VaultClient(settings).read("kv/x");
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, Catch::Contains("certificate") || Catch::Contains("SSL"));

  settings.tls = TlsVerify::skip;
  CHECK(VaultClient(settings).read("kv/x"));
}

TEST_CASE("Vault: a server that drops connections is retried within the budget", "[vault]") {
  // Every connection is closed at once: libcurl sees an empty reply each time.
  LoopbackListener server([](int fd) {
    ::close(fd);
    return -1;
  });
  VaultSettings settings;
  settings.address = server.address();
  settings.token = "drop-token";
  settings.retry_budget = std::chrono::milliseconds(300);
  auto failed = VaultClient(settings).read("kv/x");
  const int accepted = server.stop();
  REQUIRE_FALSE(failed);
  CHECK(accepted >= 3);  // the mount lookup, tried more than once (the read is not tried after it)
  CHECK(failed.error().message.find("drop-token") == std::string::npos);
}

TEST_CASE("Vault: a server that accepts and never answers ends the read within the budget", "[vault]") {
  // Connections are held open without a byte of answer: only the budget ends each attempt
  // (curl's own timeout would hold one attempt for far longer).
  LoopbackListener server([](int fd) { return fd; });
  VaultSettings settings;
  settings.address = server.address();
  settings.token = "hang-token";
  settings.retry_budget = std::chrono::milliseconds(500);
  auto failed = VaultClient(settings).read("kv/x");
  server.stop();
  REQUIRE_FALSE(failed);
  INFO(failed.error().message);
  CHECK_THAT(failed.error().message, Catch::Contains(settings.address) && Catch::Contains("imed out"));
  CHECK(failed.error().message.find("hang-token") == std::string::npos);
}
