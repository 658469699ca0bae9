#include "runner/services/service_host.hpp"

#include "runner/services/buffered_server.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace pipeline::runner::services {

namespace {

// An open connection holds its worker until the keep-alive timeout (5 s) after its last request.
// upload-artifact opens 32 and the cache client 8, and keeps them open after the last block: with
// the library's default of 8 workers the finalize call that follows waited for them to time out.
// Enough for four jobs uploading at once; idle workers cost a thread's stack and nothing else.
constexpr std::size_t k_workers = 128;

constexpr std::chrono::hours k_token_lifetime{24};

std::size_t index_of(Reach reach) { return reach == Reach::host ? 0 : 1; }

void refuse(httplib::Response& response, int status, const std::string& message) {
  response.status = status;
  // Twirp's error shape: @actions clients print `msg`, other clients read the status.
  response.set_content(nlohmann::json{{"code", status == 500 ? "internal" : "unauthenticated"}, {"msg", message}}.dump(),
                       "application/json");
}

void refuse_access(httplib::Response& response, Access access) {
  refuse(response, access == Access::bearer ? 401 : 403,
         access == Access::bearer ? "missing or invalid runtime token" : "invalid or expired signature");
}

}  // namespace

void Router::add(Method method, std::string pattern, Access access, Handler handler) {
  m_routes.push_back(Route{method, std::move(pattern), access, std::move(handler), {}});
}

void Router::add_streaming(Method method, std::string pattern, Access access, StreamingHandler handler) {
  m_routes.push_back(Route{method, std::move(pattern), access, {}, std::move(handler)});
}

struct ServiceHost::Listener {
  BufferedServer server;
  std::thread thread;
  int port = 0;
};

ServiceHost::ServiceHost() : m_key(random_key()) {}

ServiceHost::~ServiceHost() { stop(); }

void ServiceHost::mount(Routes& routes) {
  routes.mount(m_router);
  m_services.push_back(&routes);
}

std::optional<Caller> ServiceHost::authenticate(const httplib::Request& request, Access access) const {
  const auto now = unix_now();
  if (access == Access::bearer) {
    const std::string header = request.get_header_value("Authorization");
    constexpr std::string_view k_bearer = "Bearer ";
    if (header.compare(0, k_bearer.size(), k_bearer) != 0) {
      return std::nullopt;
    }
    const std::string token = header.substr(k_bearer.size());
    {
      std::lock_guard lock(m_accepted_mutex);
      if (const auto it = m_accepted.find(token); it != m_accepted.end()) {
        return it->second;
      }
    }
    return verify_runtime_token(m_key, token, now);
  }
  SignedQuery query{request.get_param_value("run"), request.get_param_value("job"), request.get_param_value("sp"),
                    request.get_param_value("se"), request.get_param_value("sig")};
  return verify_signed(m_key, request.path, query,
                       access == Access::signed_read ? Permission::read : Permission::write, now);
}

void ServiceHost::serve(httplib::Server& server) const {
  for (const Route& route : m_router.routes()) {
    if (route.streaming) {
      serve_streaming(server, route);
      continue;
    }
    auto guarded = [this, &route](const httplib::Request& request, httplib::Response& response) {
      const auto caller = authenticate(request, route.access);
      if (!caller) {
        refuse_access(response, route.access);
        return;
      }
      route.handler(request, response, *caller);
    };
    switch (route.method) {
      case Method::get: server.Get(route.pattern, guarded); break;
      case Method::put: server.Put(route.pattern, guarded); break;
      case Method::post: server.Post(route.pattern, guarded); break;
      case Method::patch: server.Patch(route.pattern, guarded); break;
      case Method::del: server.Delete(route.pattern, guarded); break;
    }
  }
  // Handlers throwing must not end the server thread: the job sees a 500 and its action fails.
  server.set_exception_handler([](const httplib::Request&, httplib::Response& response, std::exception_ptr) {
    refuse(response, 500, "internal error");
  });
}

void ServiceHost::serve_streaming(httplib::Server& server, const Route& route) const {
  auto streamed = [this, &route](const httplib::Request& request, httplib::Response& response,
                                 const httplib::ContentReader& reader) {
    const auto caller = authenticate(request, route.access);
    if (!caller) {
      // Unread body bytes would be parsed as the connection's next request.
      (void)reader([](const char*, std::size_t) { return true; });
      refuse_access(response, route.access);
      return;
    }
    route.streaming(request, response, *caller, reader);
  };
  // httplib sends requests without a body to the plain handlers: give those an empty reader.
  auto empty = [streamed](const httplib::Request& request, httplib::Response& response) {
    const httplib::ContentReader reader(
        [&request](const httplib::ContentReceiver& receiver) {
          return request.body.empty() || receiver(request.body.data(), request.body.size());
        },
        [](const httplib::MultipartContentHeader&, const httplib::ContentReceiver&) { return false; });
    streamed(request, response, reader);
  };
  if (route.method == Method::post) {
    server.Post(route.pattern, streamed);
    server.Post(route.pattern, empty);
  } else if (route.method == Method::patch) {
    server.Patch(route.pattern, streamed);
    server.Patch(route.pattern, empty);
  } else {
    server.Put(route.pattern, streamed);
    server.Put(route.pattern, empty);
  }
}

Result<void> ServiceHost::start(const ListenAddresses& addresses) {
  const std::string* wanted[2] = {&addresses.host, &addresses.containers};
  for (std::size_t i = 0; i < 2; ++i) {
    if (wanted[i]->empty()) {
      continue;
    }
    auto listener = std::make_unique<Listener>();
    listener->server.new_task_queue = [] { return new httplib::ThreadPool(k_workers); };
    serve(listener->server);
    listener->port = listener->server.bind_to_any_port(*wanted[i]);
    if (listener->port <= 0) {
      stop();
      return Error{"cannot listen on " + *wanted[i] + " for the job services"};
    }
    auto& server = listener->server;
    listener->thread = std::thread([&server] { server.listen_after_bind(); });
    // stop() only acts on a running server: wait until it runs so a quick stop cannot be lost.
    while (!server.is_running()) {
      std::this_thread::yield();
    }
    m_urls[i] = "http://" + *wanted[i] + ":" + std::to_string(listener->port) + "/";
    m_listeners.push_back(std::move(listener));
  }
  return {};
}

void ServiceHost::stop() {
  for (auto& listener : m_listeners) {
    listener->server.stop();
    if (listener->thread.joinable()) {
      listener->thread.join();
    }
  }
  m_listeners.clear();
  m_urls[0].clear();
  m_urls[1].clear();
}

bool ServiceHost::reachable(Reach reach) const { return !m_urls[index_of(reach)].empty(); }

std::string ServiceHost::base_url(Reach reach) const { return m_urls[index_of(reach)]; }

std::string ServiceHost::token(const Caller& caller) const {
  return make_runtime_token(m_key, caller, unix_now() + std::chrono::seconds(k_token_lifetime).count());
}

std::vector<std::pair<std::string, std::string>> ServiceHost::job_env(const Caller& caller, Reach reach) const {
  const std::string url = base_url(reach);
  if (url.empty()) {
    return {};
  }
  std::vector<std::pair<std::string, std::string>> env{
      {"ACTIONS_RUNTIME_TOKEN", token(caller)}, {"ACTIONS_RUNTIME_URL", url}, {"ACTIONS_RESULTS_URL", url}};
  for (const Routes* service : m_services) {
    for (auto& entry : service->job_env(url)) {
      env.push_back(std::move(entry));
    }
  }
  return env;
}

void ServiceHost::accept_token(const std::string& token, const Caller& caller) {
  if (token.empty()) {
    return;
  }
  std::lock_guard lock(m_accepted_mutex);
  m_accepted[token] = caller;
}

std::vector<std::pair<std::string, std::string>> with_forge_results(
    std::vector<std::pair<std::string, std::string>> pipe_env,
    const std::vector<std::pair<std::string, std::string>>& forge_env) {
  std::vector<std::pair<std::string, std::string>> env;
  for (auto& entry : pipe_env) {
    const auto& name = entry.first;
    if (name != "ACTIONS_RUNTIME_TOKEN" && name != "ACTIONS_RUNTIME_URL" && name != "ACTIONS_RESULTS_URL" &&
        name != "ACTIONS_CACHE_SERVICE_V2") {
      env.push_back(std::move(entry));
    }
  }
  env.insert(env.end(), forge_env.begin(), forge_env.end());
  return env;
}

std::string ServiceHost::signed_url(const httplib::Request& request, const std::string& path, const Caller& caller,
                                    Permission permission, std::chrono::seconds ttl) const {
  const std::string host = request.get_header_value("Host");
  return "http://" + host + path + "?" + sign_path(m_key, path, caller, permission, unix_now() + ttl.count());
}

}  // namespace pipeline::runner::services
