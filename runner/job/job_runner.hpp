#pragma once
// Runs one job instance (a plain job, or one matrix combination) from start to teardown.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "runner/backend/backend.hpp"
#include "runner/backend/container_actions.hpp"
#include "runner/job/contexts.hpp"
#include "runner/engine/reporter.hpp"
#include "runner/job/run_options.hpp"
#include "runner/engine/scheduler.hpp"
#include "runner/output/masker.hpp"
#include "workflow/model.hpp"

namespace pipeline::actions {
class Resolver;
}

namespace pipeline::runner::job {

class CalledWorkflows;
class Environments;
class JobServices;
class WarmDemand;

/// Where one job runs: a backend, and the image when it is a container backend.
struct Placement {
  Backend* backend = nullptr;
  std::string image;           // empty on the host
  bool job_container = false;  // the job has `container:` (GitHub's container-job rules apply)
};

/// Chooses where a job runs from its evaluated `runs-on` labels and `container:` image.
using PlaceJob = std::function<Result<Placement>(const std::vector<std::string>& labels, const std::string& container_image)>;

/// Facts and services shared by every job of one run.
struct RunState {
  const RunOptions* options = nullptr;
  std::string run_id;
  std::string run_number_id;  // numeric GITHUB_RUN_ID
  std::string workspace;      // absolute path of the repository
  nlohmann::json github;      // the github context without per-job fields
  workflow::expr::Value secrets;
  workflow::expr::Value vars;
  workflow::expr::Value inputs;
  EnvList env_file;           // variables from --env-file, under every job's env
  output::Masker* masker = nullptr;
  engine::Reporter* reporter = nullptr;
  CancelToken* hard_cancel = nullptr;  // second Ctrl-C: even always() steps stop
  PlaceJob place;
  actions::Resolver* resolver = nullptr;  // `uses:` of every job, fetched once per run
  std::function<ContainerActions*()> container_actions;  // the engine for Docker actions; null when none answers
  std::shared_ptr<CalledWorkflows> called_workflows;  // read once per run; null: read at each use
  std::shared_ptr<JobServices> services;  // artifacts; shared with called workflows; null in a dry run
  std::shared_ptr<Environments> environments;  // approvals and scoped values; null: environments only name jobs
  std::shared_ptr<WarmDemand> warm_demand;  // jobs still to start, by warm class; null: no warm containers
};

/// How a job ended, as `needs.<id>` shows it.
struct JobOutcome {
  engine::NodeResult result = engine::NodeResult::success;
  EnvList outputs;
};

/// One job to run: the job, its matrix combination, and what its needs produced.
struct JobInstance {
  const workflow::Workflow* workflow = nullptr;
  const workflow::Job* job = nullptr;
  std::string display_name;
  nlohmann::ordered_json matrix = nlohmann::ordered_json::object();
  workflow::expr::Value strategy;
  workflow::expr::Value needs;
  std::string warm_class;  // set when RunState::warm_demand counts this job among those to come
};

/// Runs the steps of `instance`; `cancel` is its node's token (run or fail-fast cancellation).
[[nodiscard]] JobOutcome run_job(RunState& run, const JobInstance& instance, CancelToken& cancel);

}  // namespace pipeline::runner::job
