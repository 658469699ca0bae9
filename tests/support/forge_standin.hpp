#pragma once
// A stand-in for a Gitea/Forgejo Actions server, for tests: a cpp-httplib server on 127.0.0.1
// speaking the runner protocol as act_runner's client expects it — Connect unary calls, JSON
// bodies with proto3 JSON names, under /api/actions:
//   ping.v1.PingService/Ping
//   runner.v1.RunnerService/Register   {name, token, version, labels} → {runner}
//   runner.v1.RunnerService/Declare    {version, labels} → {runner}
//   runner.v1.RunnerService/FetchTask  {tasksVersion} → {task?, tasksVersion}; like Gitea it
//        looks at its queue only when the runner's version differs from its own
//   runner.v1.RunnerService/UpdateTask {state, outputs} → {state, sentOutputs}
//   runner.v1.RunnerService/UpdateLog  {taskId, index, rows, noMore} → {ackIndex}; rows before
//        the stored length are ignored, as Gitea does
// Calls other than Ping and Register need the x-runner-uuid and x-runner-token headers.
// Like Gitea and Forgejo it also serves the Artifacts v4 API jobs reach through
// ACTIONS_RESULTS_URL (twirp JSON at /twirp/github.actions.results.api.v1.ArtifactService/
// CreateArtifact, FinalizeArtifact, ListArtifacts, GetSignedArtifactURL, with
// `Authorization: Bearer <gitea_runtime_token of a task it handed out>`), and the blob URLs it
// signs (Put Blob, Put Block, Put Block List, GET), keeping the bytes in memory. It is not Gitea:
// one runner, an in-memory queue, and fault switches (errors, dropped answers, cancellation) for
// the tests.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pipeline::test {

/// A task to hand out.
struct StandinTask {
  std::int64_t id = 0;
  std::string workflow;  // YAML with one job
  nlohmann::json context = nlohmann::json::object();
  std::map<std::string, std::string> secrets;
  std::map<std::string, std::string> vars;
  nlohmann::json needs = nlohmann::json::object();  // {"job": {"outputs": {...}, "result": "RESULT_SUCCESS"}}
};

/// What the stand-in holds about one task the runner reported on.
struct StandinTaskRecord {
  nlohmann::json state;  // the last UpdateTask state
  std::map<std::string, std::string> outputs;
  std::vector<std::string> rows;  // log rows in order
  bool no_more = false;
  int update_task_calls = 0;
  int update_log_calls = 0;
};

/// An artifact a job uploaded to the stand-in's artifact service.
struct StandinArtifact {
  std::int64_t id = 0;
  std::string name;
  std::string run_id;  // workflow_run_backend_id, as the job's token named it
  std::string job_id;  // workflow_job_run_backend_id
  std::string token;   // the bearer token CreateArtifact came with
  std::string content;  // the committed bytes
  std::int64_t size = 0;  // as FinalizeArtifact declared it
  std::string hash;
  bool finalized = false;
};

/// How a faulty answer looks.
enum class Fault {
  unavailable,    // 503 {"code":"unavailable"} before doing anything
  lost_answer,    // does the work, then answers 503: the runner cannot know it was done
};

/// The stand-in; serves from construction until destruction.
class ForgeStandin {
public:
  ForgeStandin();
  ~ForgeStandin();
  ForgeStandin(const ForgeStandin&) = delete;
  ForgeStandin& operator=(const ForgeStandin&) = delete;

  /// http://127.0.0.1:<port>
  [[nodiscard]] std::string address() const;
  /// The registration token Register accepts.
  [[nodiscard]] static std::string registration_token() { return "standin-registration-token"; }

  /// Queues a task and bumps the tasks version, as a forge does when a job becomes ready.
  void enqueue(const StandinTask& task);
  /// The next `count` calls of `method` ("FetchTask", "UpdateLog", ...) fail with `fault`.
  void fail_next(const std::string& method, int count, Fault fault);
  /// UpdateTask answers for `task_id` say RESULT_CANCELLED from now on.
  void cancel(std::int64_t task_id);

  /// Waits until task `task_id` has a final result and its last log rows (no_more); false
  /// after `limit`.
  [[nodiscard]] bool wait_finished(std::int64_t task_id, std::chrono::seconds limit);
  /// Waits until a log row of `task_id` contains `text`.
  [[nodiscard]] bool wait_row(std::int64_t task_id, const std::string& text, std::chrono::seconds limit);

  /// A copy of what the stand-in holds for `task_id`.
  [[nodiscard]] StandinTaskRecord record(std::int64_t task_id) const;
  /// The result the runner reported for `task_id` ("RESULT_SUCCESS", ...; "" before the end).
  [[nodiscard]] std::string result(std::int64_t task_id) const;
  /// The labels and version of the last Register and Declare.
  [[nodiscard]] nlohmann::json registered() const;
  [[nodiscard]] nlohmann::json declared() const;
  /// The tasksVersion of every FetchTask, in order.
  [[nodiscard]] std::vector<std::int64_t> fetch_versions() const;
  /// The artifacts jobs created, in order.
  [[nodiscard]] std::vector<StandinArtifact> artifacts() const;
  /// Tasks still queued.
  [[nodiscard]] std::size_t queued() const;

private:
  struct State;
  std::shared_ptr<State> m_state;
};

}  // namespace pipeline::test
