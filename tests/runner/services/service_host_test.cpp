#include "runner/services/service_host.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>

#include <memory>

#include "runner/services/raw_connection.hpp"

using namespace pipeline::runner::services;

namespace {

// Echoes the caller, and hands out a signed URL to the blob route.
class EchoRoutes final : public Routes {
public:
  explicit EchoRoutes(ServiceHost& host) : m_host(host) {}
  void mount(Router& router) override {
    router.add(Method::post, "/echo", Access::bearer,
               [](const httplib::Request&, httplib::Response& response, const Caller& caller) {
                 response.set_content(caller.run_id + " " + caller.job_id, "text/plain");
               });
    router.add(Method::get, "/sign", Access::bearer,
               [this](const httplib::Request& request, httplib::Response& response, const Caller& caller) {
                 response.set_content(m_host.signed_url(request, "/blob", caller, Permission::read,
                                                        std::chrono::seconds(60)),
                                      "text/plain");
               });
    router.add(Method::get, "/blob", Access::signed_read,
               [](const httplib::Request&, httplib::Response& response, const Caller& caller) {
                 response.set_content("blob of " + caller.job_id, "text/plain");
               });
  }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> job_env(const std::string& base_url) const override {
    return {{"ECHO_URL", base_url + "echo"}};
  }

private:
  ServiceHost& m_host;
};

std::string echo_request(const std::string& token) {
  return "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\nContent-Length: 0\r\n\r\n";
}

std::string value_of(const std::vector<std::pair<std::string, std::string>>& env, const std::string& name) {
  for (const auto& [key, value] : env) {
    if (key == name) {
      return value;
    }
  }
  return {};
}

}  // namespace

TEST_CASE("idle keep-alive connections do not keep a new request waiting", "[services]") {
  // upload-artifact keeps its 32 block connections open after the last block, then finalizes.
  ServiceHost host;
  EchoRoutes routes(host);
  host.mount(routes);
  REQUIRE(host.start(ListenAddresses{"127.0.0.1", ""}));
  const auto env = host.job_env(Caller{"run-1", "job-1"}, Reach::host);
  const std::string url = value_of(env, "ACTIONS_RESULTS_URL");
  const int port = std::stoi(url.substr(url.rfind(':') + 1));
  const std::string token = value_of(env, "ACTIONS_RUNTIME_TOKEN");
  std::vector<std::unique_ptr<Connection>> idle;
  for (int i = 0; i < 40; ++i) {
    idle.push_back(std::make_unique<Connection>(port));
    REQUIRE(idle.back()->request(echo_request(token)) == "run-1 job-1");
  }
  CHECK(Connection(port).request(echo_request(token)) == "run-1 job-1");
  // Answered while every idle connection is still open: none had to time out to free a worker.
  for (const auto& connection : idle) {
    CHECK(connection->open());
  }
  idle.clear();
  host.stop();
}

TEST_CASE("the service host serves mounted routes to holders of the run's token only", "[services]") {
  ServiceHost host;
  EchoRoutes routes(host);
  host.mount(routes);
  REQUIRE(host.start(ListenAddresses{"127.0.0.1", ""}));
  REQUIRE(host.reachable(Reach::host));
  CHECK_FALSE(host.reachable(Reach::containers));
  const auto env = host.job_env(Caller{"run-1", "job-1"}, Reach::host);
  const std::string url = value_of(env, "ACTIONS_RESULTS_URL");
  CHECK(url.rfind("http://127.0.0.1:", 0) == 0);
  CHECK(value_of(env, "ACTIONS_RUNTIME_URL") == url);
  CHECK(value_of(env, "ECHO_URL") == url + "echo");

  httplib::Client client(url.substr(0, url.size() - 1));
  const httplib::Headers good{{"Authorization", "Bearer " + value_of(env, "ACTIONS_RUNTIME_TOKEN")}};
  auto echoed = client.Post("/echo", good, "", "text/plain");
  REQUIRE(echoed);
  CHECK(echoed->status == 200);
  CHECK(echoed->body == "run-1 job-1");

  ServiceHost other;
  const httplib::Headers foreign{{"Authorization", "Bearer " + other.token(Caller{"run-1", "job-1"})}};
  CHECK(client.Post("/echo", foreign, "", "text/plain")->status == 401);
  CHECK(client.Post("/echo", "", "text/plain")->status == 401);

  auto signed_url = client.Get("/sign", good);
  REQUIRE(signed_url);
  const std::string blob = signed_url->body.substr(url.size() - 1);
  CHECK(client.Get(blob.c_str())->body == "blob of job-1");
  CHECK(client.Get((blob + "0").c_str())->status == 403);
  CHECK(client.Get("/blob")->status == 403);
  host.stop();
  CHECK_FALSE(host.reachable(Reach::host));
  CHECK_FALSE(client.Get("/blob"));
}
