#include "support/registry_stub.hpp"

#include <httplib.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "workflow/base/text_encoding.hpp"

namespace pipeline::test {

struct RegistryStub::State {
  std::string expected;  // the whole Authorization header that is accepted
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  int port = 0;
  mutable std::mutex mutex;
  std::vector<RegistryRequest> requests;
};

RegistryStub::RegistryStub(std::string username, std::string password) : m_state(std::make_shared<State>()) {
  m_state->expected = "Basic " + pipeline::base64_encode(username + ":" + password);
  m_state->server = std::make_unique<httplib::Server>();
  std::weak_ptr<State> weak = m_state;
  m_state->server->Get(R"(/v2/.*)", [weak](const httplib::Request& req, httplib::Response& res) {
    auto state = weak.lock();
    if (!state) {
      return;
    }
    const bool authorized = req.get_header_value("Authorization") == state->expected;
    {
      std::lock_guard guard(state->mutex);
      state->requests.push_back({req.path, authorized});
    }
    res.set_header("Docker-Distribution-API-Version", "registry/2.0");
    if (!authorized) {
      res.status = 401;
      res.set_header("WWW-Authenticate", "Basic realm=\"pipe-test\"");
      res.set_content(R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})", "application/json");
    } else if (req.path == "/v2/") {
      res.status = 200;
      res.set_content("{}", "application/json");
    } else {
      res.status = 404;
      res.set_content(R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})", "application/json");
    }
  });
  m_state->port = m_state->server->bind_to_any_port("127.0.0.1");
  auto state = m_state;
  m_state->thread = std::thread([state] { state->server->listen_after_bind(); });
  while (!m_state->server->is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

RegistryStub::~RegistryStub() {
  m_state->server->stop();
  if (m_state->thread.joinable()) {
    m_state->thread.join();
  }
}

std::string RegistryStub::host() const {
  return "127.0.0.1:" + std::to_string(m_state->port);
}

std::vector<RegistryRequest> RegistryStub::requests() const {
  std::lock_guard guard(m_state->mutex);
  return m_state->requests;
}

}  // namespace pipeline::test
