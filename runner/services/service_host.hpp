#pragma once
// The HTTP services pipe hosts for its jobs (artifacts, cache): one cpp-httplib server per
// listening address, every service's routes on each, and the run's credentials.
//
// How a service plugs in (this interface is meant to stay as it is):
//   1. Implement `Routes::mount(Router&)`, adding each endpoint with `Router::add(method,
//      pattern, access, handler)`. A pattern is an httplib regex (`req.matches` holds its groups).
//   2. Before `start()`, call `host.mount(routes)`; the routes object must outlive the host.
//   3. A handler runs only after the host checked its access rule, and receives the `Caller` the
//      request's credentials name (the run id and job id). Handlers run on server threads.
//   4. `host.signed_url(req, path, caller, permission, ttl)` gives an absolute URL on the same
//      address the request came to, for routes added with Access::signed_read/signed_write.
// Jobs find the services through the variables `job_env()` returns.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "runner/services/token.hpp"
#include "workflow/base/result.hpp"

namespace httplib {
class ContentReader;
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace pipeline::runner::services {

/// The HTTP methods a route answers.
enum class Method { get, put, post, patch, del };

/// How a route's requests prove who they are.
enum class Access {
  bearer,        // `Authorization: Bearer <ACTIONS_RUNTIME_TOKEN>`
  signed_read,   // a URL from signed_url(..., Permission::read)
  signed_write,  // a URL from signed_url(..., Permission::write)
};

/// Answers one authenticated request.
using Handler = std::function<void(const httplib::Request&, httplib::Response&, const Caller&)>;

/// Answers one authenticated request whose body it reads itself, in pieces, from the reader.
using StreamingHandler =
    std::function<void(const httplib::Request&, httplib::Response&, const Caller&, const httplib::ContentReader&)>;

/// One endpoint of a service.
struct Route {
  Method method = Method::get;
  std::string pattern;
  Access access = Access::bearer;
  Handler handler;
  StreamingHandler streaming;  // set instead of `handler` for routes added with add_streaming()
};

/// Collects the routes services add.
class Router {
public:
  /// Adds an endpoint; patterns are matched in the order added.
  void add(Method method, std::string pattern, Access access, Handler handler);
  /// Adds a put, post or patch endpoint that streams its request body instead of receiving it whole.
  void add_streaming(Method method, std::string pattern, Access access, StreamingHandler handler);
  /// The routes added so far.
  [[nodiscard]] const std::vector<Route>& routes() const { return m_routes; }

private:
  std::vector<Route> m_routes;
};

/// A service's set of endpoints.
class Routes {
public:
  virtual ~Routes() = default;
  /// Adds this service's endpoints to `router`.
  virtual void mount(Router& router) = 0;
  /// Variables a job needs for this service beyond the host's own, given the host's base URL.
  [[nodiscard]] virtual std::vector<std::pair<std::string, std::string>> job_env(const std::string& base_url) const {
    (void)base_url;
    return {};
  }
};

/// Where jobs reach the host.
enum class Reach {
  host,        // processes on this machine: loopback
  containers,  // job containers: the Docker bridge gateway
};

/// The addresses the host listens on; an empty one is not listened on.
struct ListenAddresses {
  std::string host = "127.0.0.1";
  std::string containers;  // e.g. the default bridge's gateway, 172.17.0.1
};

/// The server and the run's key; stops (and joins its threads) when destroyed.
class ServiceHost {
public:
  /// A host with a fresh random key; nothing listens until start().
  ServiceHost();
  ~ServiceHost();
  ServiceHost(const ServiceHost&) = delete;
  ServiceHost& operator=(const ServiceHost&) = delete;

  /// Adds a service's routes; only before start().
  void mount(Routes& routes);
  /// Listens on each address (an ephemeral port each) and serves in background threads.
  [[nodiscard]] Result<void> start(const ListenAddresses& addresses);
  /// Stops serving; idempotent.
  void stop();
  /// True once start() succeeded for `reach`.
  [[nodiscard]] bool reachable(Reach reach) const;
  /// The base URL (`http://ADDRESS:PORT/`) jobs of `reach` use.
  [[nodiscard]] std::string base_url(Reach reach) const;
  /// The runtime token of one job: a JWT naming `caller`, valid for a day.
  [[nodiscard]] std::string token(const Caller& caller) const;
  /// The variables a job needs to find the services (ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL, ...).
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> job_env(const Caller& caller, Reach reach) const;
  /// Accepts `token` (a runtime token another server issued, e.g. a forge's for one task) as a
  /// bearer credential of `caller` too, for as long as this host lives; for services that stay
  /// on this machine while others (artifacts) are the forge's.
  void accept_token(const std::string& token, const Caller& caller);
  /// An absolute URL for `path` on the address `request` came to, signed for `caller`.
  [[nodiscard]] std::string signed_url(const httplib::Request& request, const std::string& path, const Caller& caller,
                                       Permission permission, std::chrono::seconds ttl) const;

private:
  struct Listener;
  void serve(httplib::Server& server) const;
  void serve_streaming(httplib::Server& server, const Route& route) const;
  [[nodiscard]] std::optional<Caller> authenticate(const httplib::Request& request, Access access) const;

  std::string m_key;
  Router m_router;
  std::vector<const Routes*> m_services;
  std::vector<std::unique_ptr<Listener>> m_listeners;
  std::string m_urls[2];
  mutable std::mutex m_accepted_mutex;
  std::map<std::string, Caller> m_accepted;  // tokens of other issuers, by token
};

/// `pipe_env` (what job_env() gives) with the artifact service moved to a forge's: its
/// ACTIONS_RUNTIME_TOKEN, ACTIONS_RUNTIME_URL and ACTIONS_RESULTS_URL replace pipe's, and the cache
/// keeps pipe's v1 API (ACTIONS_CACHE_URL) since the v2 one lives under ACTIONS_RESULTS_URL.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> with_forge_results(
    std::vector<std::pair<std::string, std::string>> pipe_env,
    const std::vector<std::pair<std::string, std::string>>& forge_env);

}  // namespace pipeline::runner::services
