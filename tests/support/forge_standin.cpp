#include "forge_standin.hpp"

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "workflow/base/text_encoding.hpp"

namespace pipeline::test {

using json = nlohmann::json;

namespace {

constexpr const char* k_uuid = "standin-runner-uuid";
constexpr const char* k_token = "standin-runner-token";
constexpr const char* k_prefix = "/api/actions/";

// proto3 JSON: int64 may come as a string or a number, names in camelCase or as in the proto.
std::int64_t int64_field(const json& object, const char* camel, const char* snake) {
  for (const char* name : {camel, snake}) {
    if (object.contains(name)) {
      const auto& v = object[name];
      return v.is_string() ? std::stoll(v.get<std::string>()) : v.get<std::int64_t>();
    }
  }
  return 0;
}

}  // namespace

struct ForgeStandin::State {
  httplib::Server server;
  int port = 0;
  std::thread thread;
  mutable std::mutex mutex;
  std::condition_variable changed;
  std::deque<StandinTask> queue;
  std::int64_t tasks_version = 0;
  std::map<std::int64_t, StandinTaskRecord> tasks;
  std::map<std::int64_t, StandinTask> handed_out;
  std::string base_url;
  std::map<std::string, std::deque<Fault>> faults;
  std::map<std::int64_t, bool> cancelled;
  std::vector<StandinArtifact> artifacts;
  std::map<std::int64_t, std::map<std::string, std::string>> blocks;  // staged blocks by artifact id
  json registered = json::object();
  json declared = json::object();
  std::vector<std::int64_t> fetch_versions;

  static void error(httplib::Response& res, int status, const std::string& code, const std::string& message) {
    res.status = status;
    res.set_content(json{{"code", code}, {"message", message}}.dump(), "application/json");
  }

  std::optional<Fault> take_fault(const std::string& method) {
    auto& list = faults[method];
    if (list.empty()) {
      return std::nullopt;
    }
    const Fault fault = list.front();
    list.pop_front();
    return fault;
  }

  json fetch(const json& body) {
    const auto sent = int64_field(body, "tasksVersion", "tasks_version");
    fetch_versions.push_back(sent);
    json answer = {{"tasksVersion", std::to_string(tasks_version)}};
    // As Gitea: the queue is looked at only when the runner's version is not the current one.
    if (sent != tasks_version && !queue.empty()) {
      const StandinTask task = queue.front();
      queue.pop_front();
      json needs = task.needs;
      answer["task"] = {{"id", std::to_string(task.id)}, {"workflowPayload", base64_encode(task.workflow)},
                        {"context", task.context},         {"secrets", task.secrets},
                        {"vars", task.vars},               {"needs", needs}};
      tasks[task.id];
      handed_out[task.id] = task;
    }
    return answer;
  }

  // --- the Artifacts v4 service ---

  /// The runtime token a request carries, when a task handed out has it as gitea_runtime_token.
  bool known_token(const std::string& token) const {
    if (token.empty()) {
      return false;
    }
    for (const auto& [id, task] : handed_out) {
      if (task.context.value("gitea_runtime_token", "") == token) {
        return true;
      }
    }
    return false;
  }

  StandinArtifact* artifact_named(const std::string& run, const std::string& name) {
    for (auto it = artifacts.rbegin(); it != artifacts.rend(); ++it) {
      if (it->run_id == run && it->name == name) {
        return &*it;
      }
    }
    return nullptr;
  }

  static void twirp_error(httplib::Response& res, int status, const std::string& code, const std::string& msg) {
    res.status = status;
    res.set_content(json{{"code", code}, {"msg", msg}}.dump(), "application/json");
  }

  void artifact_call(const std::string& method, const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    const std::string auth = req.get_header_value("Authorization");
    const std::string token = auth.rfind("Bearer ", 0) == 0 ? auth.substr(7) : std::string();
    if (!known_token(token)) {
      twirp_error(res, 401, "unauthenticated", "not a runtime token of a task of this forge");
      return;
    }
    json body;
    try {
      body = json::parse(req.body);
    } catch (const std::exception&) {
      twirp_error(res, 400, "malformed", "the body is not JSON");
      return;
    }
    const std::string run = body.value("workflow_run_backend_id", "");
    const std::string name = body.value("name", "");
    json answer;
    if (method == "CreateArtifact") {
      StandinArtifact a;
      a.id = static_cast<std::int64_t>(artifacts.size()) + 1;
      a.name = name;
      a.run_id = run;
      a.job_id = body.value("workflow_job_run_backend_id", "");
      a.token = token;
      artifacts.push_back(a);
      answer = {{"ok", true}, {"signed_upload_url", base_url + "/standin-blob/" + std::to_string(a.id) + "?sig=w"}};
    } else if (method == "FinalizeArtifact") {
      auto* a = artifact_named(run, name);
      if (!a) {
        twirp_error(res, 404, "not_found", "no artifact named " + name);
        return;
      }
      const auto& size = body["size"];
      a->size = size.is_string() ? std::stoll(size.get<std::string>()) : size.get<std::int64_t>();
      a->hash = body.contains("hash") && body["hash"].is_string() ? body["hash"].get<std::string>() : "";
      a->finalized = true;
      answer = {{"ok", true}, {"artifact_id", std::to_string(a->id)}};
    } else if (method == "ListArtifacts") {
      answer = {{"artifacts", json::array()}};
      for (const auto& a : artifacts) {
        if (a.finalized && a.run_id == run && (!body.contains("name_filter") || body["name_filter"] == a.name)) {
          answer["artifacts"].push_back({{"workflow_run_backend_id", a.run_id},
                                         {"workflow_job_run_backend_id", a.job_id},
                                         {"database_id", std::to_string(a.id)},
                                         {"name", a.name},
                                         {"size", std::to_string(a.size)},
                                         {"created_at", "2026-01-01T00:00:00Z"}});
        }
      }
    } else if (method == "GetSignedArtifactURL") {
      auto* a = artifact_named(run, name);
      if (!a || !a->finalized) {
        twirp_error(res, 404, "not_found", "no artifact named " + name);
        return;
      }
      answer = {{"signed_url", base_url + "/standin-blob/" + std::to_string(a->id) + "?sig=r"}};
    } else {
      twirp_error(res, 404, "bad_route", "no such method");
      return;
    }
    res.set_content(answer.dump(), "application/json");
  }

  StandinArtifact* artifact_by_id(const std::string& id) {
    const auto n = std::stoll(id);
    return n >= 1 && n <= static_cast<std::int64_t>(artifacts.size()) ? &artifacts[static_cast<std::size_t>(n - 1)]
                                                                       : nullptr;
  }

  // Azure's Put Blob (no comp), Put Block (comp=block) and Put Block List (comp=blocklist).
  void blob_put(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    auto* a = artifact_by_id(req.matches[1].str());
    if (!a || req.get_param_value("sig") != "w") {
      res.status = 403;
      return;
    }
    const std::string comp = req.get_param_value("comp");
    if (comp == "block") {
      blocks[a->id][req.get_param_value("blockid")] = req.body;
    } else if (comp == "blocklist") {
      a->content.clear();
      std::size_t at = 0;
      while ((at = req.body.find("<Latest>", at)) != std::string::npos) {
        const auto end = req.body.find("</Latest>", at);
        a->content += blocks[a->id][req.body.substr(at + 8, end - at - 8)];
        at = end;
      }
      blocks.erase(a->id);
    } else {
      a->content = req.body;
    }
    res.status = 201;
    res.set_header("ETag", "\"0x1\"");
    res.set_header("Last-Modified", "Thu, 01 Jan 1970 00:00:00 GMT");
  }

  void blob_get(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    auto* a = artifact_by_id(req.matches[1].str());
    if (!a || req.get_param_value("sig") != "r") {
      res.status = 403;
      return;
    }
    res.set_content(a->content, "application/zip");
  }

  json update_task(const json& body) {
    const json& state = body.at("state");
    const auto id = int64_field(state, "id", "id");
    auto& record = tasks[id];
    record.state = state;
    ++record.update_task_calls;
    json sent = json::array();
    if (body.contains("outputs")) {
      for (const auto& [name, value] : body["outputs"].items()) {
        record.outputs[name] = value.get<std::string>();
        sent.push_back(name);
      }
    }
    json answer_state = state;
    if (cancelled[id]) {
      answer_state["result"] = "RESULT_CANCELLED";
    }
    return {{"state", answer_state}, {"sentOutputs", sent}};
  }

  json update_log(const json& body) {
    const auto id = int64_field(body, "taskId", "task_id");
    const auto index = int64_field(body, "index", "index");
    auto& record = tasks[id];
    ++record.update_log_calls;
    const auto ack = static_cast<std::int64_t>(record.rows.size());
    const json rows = body.value("rows", json::array());
    const auto count = static_cast<std::int64_t>(rows.size());
    if (count > 0 && index <= ack && index + count > ack) {
      for (auto i = ack - index; i < count; ++i) {
        record.rows.push_back(rows[static_cast<std::size_t>(i)].value("content", ""));
      }
    }
    if (body.value("noMore", body.value("no_more", false))) {
      record.no_more = true;
    }
    return {{"ackIndex", std::to_string(record.rows.size())}};
  }

  void handle(const std::string& method, const httplib::Request& req, httplib::Response& res) {
    std::unique_lock lock(mutex);
    const auto fault = take_fault(method);
    if (fault == Fault::unavailable) {
      error(res, 503, "unavailable", "the stand-in is down for this call");
      return;
    }
    const bool needs_auth = method != "Ping" && method != "Register";
    if (needs_auth && (req.get_header_value("x-runner-uuid") != k_uuid ||
                       req.get_header_value("x-runner-token") != k_token)) {
      error(res, 401, "unauthenticated", "unregistered runner");
      return;
    }
    json body;
    try {
      body = json::parse(req.body);
    } catch (const std::exception&) {
      error(res, 400, "invalid_argument", "the body is not JSON");
      return;
    }
    json answer;
    if (method == "Ping") {
      answer = {{"data", "Hello, " + body.value("data", std::string()) + "!"}};
    } else if (method == "Register") {
      if (body.value("token", "") != registration_token()) {
        error(res, 401, "unauthenticated", "runner registration token not found");
        return;
      }
      registered = body;
      answer = {{"runner", {{"id", "7"}, {"uuid", k_uuid}, {"token", k_token}, {"name", body.value("name", "")},
                            {"labels", body.value("labels", json::array())}}}};
    } else if (method == "Declare") {
      declared = body;
      answer = {{"runner", {{"id", "7"}, {"uuid", k_uuid}, {"name", "r"}, {"labels", body.value("labels", json::array())}}}};
    } else if (method == "FetchTask") {
      answer = fetch(body);
    } else if (method == "UpdateTask") {
      answer = update_task(body);
    } else if (method == "UpdateLog") {
      answer = update_log(body);
    } else {
      error(res, 404, "unimplemented", "no such method");
      return;
    }
    changed.notify_all();
    if (fault == Fault::lost_answer) {
      error(res, 503, "unavailable", "the answer was lost");
      return;
    }
    res.set_content(answer.dump(), "application/json");
  }
};

ForgeStandin::ForgeStandin() : m_state(std::make_shared<State>()) {
  // The handler lives inside the state's own server, so it holds a plain pointer (a shared one
  // would keep the state alive forever); the destructor stops and joins the server first.
  State* state = m_state.get();
  state->server.Post(R"(/api/actions/([A-Za-z0-9.]+)/(\w+))", [state](const httplib::Request& req, httplib::Response& res) {
    state->handle(req.matches[2].str(), req, res);
  });
  state->server.Post(R"(/twirp/github\.actions\.results\.api\.v1\.ArtifactService/(\w+))",
                     [state](const httplib::Request& req, httplib::Response& res) {
                       state->artifact_call(req.matches[1].str(), req, res);
                     });
  state->server.Put(R"(/standin-blob/(\d+))",
                    [state](const httplib::Request& req, httplib::Response& res) { state->blob_put(req, res); });
  state->server.Get(R"(/standin-blob/(\d+))",
                    [state](const httplib::Request& req, httplib::Response& res) { state->blob_get(req, res); });
  state->port = state->server.bind_to_any_port("127.0.0.1");
  state->base_url = "http://127.0.0.1:" + std::to_string(state->port);
  state->thread = std::thread([state] { state->server.listen_after_bind(); });
}

ForgeStandin::~ForgeStandin() {
  m_state->server.stop();
  m_state->thread.join();
}

std::string ForgeStandin::address() const {
  return "http://127.0.0.1:" + std::to_string(m_state->port);
}

void ForgeStandin::enqueue(const StandinTask& task) {
  std::lock_guard lock(m_state->mutex);
  m_state->queue.push_back(task);
  ++m_state->tasks_version;
}

void ForgeStandin::fail_next(const std::string& method, int count, Fault fault) {
  std::lock_guard lock(m_state->mutex);
  for (int i = 0; i < count; ++i) {
    m_state->faults[method].push_back(fault);
  }
}

void ForgeStandin::cancel(std::int64_t task_id) {
  std::lock_guard lock(m_state->mutex);
  m_state->cancelled[task_id] = true;
}

bool ForgeStandin::wait_finished(std::int64_t task_id, std::chrono::seconds limit) {
  std::unique_lock lock(m_state->mutex);
  return m_state->changed.wait_for(lock, limit, [&] {
    auto it = m_state->tasks.find(task_id);
    return it != m_state->tasks.end() && it->second.no_more && it->second.state.is_object() &&
           it->second.state.value("result", "RESULT_UNSPECIFIED") != "RESULT_UNSPECIFIED";
  });
}

bool ForgeStandin::wait_row(std::int64_t task_id, const std::string& text, std::chrono::seconds limit) {
  std::unique_lock lock(m_state->mutex);
  return m_state->changed.wait_for(lock, limit, [&] {
    auto it = m_state->tasks.find(task_id);
    if (it == m_state->tasks.end()) {
      return false;
    }
    for (const auto& row : it->second.rows) {
      if (row.find(text) != std::string::npos) {
        return true;
      }
    }
    return false;
  });
}

StandinTaskRecord ForgeStandin::record(std::int64_t task_id) const {
  std::lock_guard lock(m_state->mutex);
  auto it = m_state->tasks.find(task_id);
  return it == m_state->tasks.end() ? StandinTaskRecord{} : it->second;
}

std::string ForgeStandin::result(std::int64_t task_id) const {
  const auto r = record(task_id);
  return r.state.is_object() ? r.state.value("result", "") : std::string();
}

json ForgeStandin::registered() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->registered;
}

json ForgeStandin::declared() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->declared;
}

std::vector<std::int64_t> ForgeStandin::fetch_versions() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->fetch_versions;
}

std::vector<StandinArtifact> ForgeStandin::artifacts() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->artifacts;
}

std::size_t ForgeStandin::queued() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->queue.size();
}

}  // namespace pipeline::test
