#pragma once
// The HTTP services of one run (artifacts; others mount beside them), started when the first job
// that may use them is prepared, and the variables that lead a job's actions to them.
// A new service: add its store and Routes as members, and mount them in the constructor.
#include <functional>
#include <mutex>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "runner/backend/container_actions.hpp"
#include "runner/cache/cache_api.hpp"
#include "runner/job/contexts.hpp"
#include "runner/services/artifact_service.hpp"
#include "runner/services/artifact_store.hpp"
#include "runner/services/artifact_v3_api.hpp"
#include "runner/services/service_host.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::job {

/// Where a job reaches pipe's services from.
enum class JobReach { host_network, container_network };

/// The services shared by every job of a run, reusable workflows' jobs included.
class JobServices {
public:
  /// Services for `run_id`, keeping artifacts in `artifacts_dir`. `container_address` gives the
  /// address job containers reach this machine at ("" when there is no container engine); it is
  /// asked once, when the services start.
  JobServices(std::string run_id, std::string artifacts_dir, std::function<std::string()> container_address,
              const std::string& cache_dir, cache::RunScope cache_scope);

  /// The variables one job needs (ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL, ...); starts the
  /// services at the first call. An error when they cannot listen.
  [[nodiscard]] Result<EnvList> job_env(const std::string& job_id, JobReach reach);
  /// Sends every job's artifacts to a forge's service instead: `forge_env` holds its
  /// ACTIONS_RUNTIME_TOKEN, ACTIONS_RUNTIME_URL and ACTIONS_RESULTS_URL; the cache stays pipe's
  /// and accepts the forge's token. Only before the first job_env().
  void use_forge_results(EnvList forge_env) { m_forge_env = std::move(forge_env); }
  /// Where the run's artifacts are kept.
  [[nodiscard]] const std::string& artifacts_dir() const { return m_store.root(); }
  /// The run's finalized artifacts, as run.json lists them.
  [[nodiscard]] nlohmann::json record();

private:
  std::string m_run_id;
  std::function<std::string()> m_container_address;
  services::ServiceHost m_host;
  services::ArtifactStore m_store;
  services::ArtifactService m_artifacts;
  services::ArtifactV3Store m_v3_store;  // upload-artifact and download-artifact v1 to v3
  services::ArtifactV3Api m_v3_artifacts;
  cache::Store m_cache_store;
  cache::CacheRoutes m_cache;
  std::mutex m_mutex;
  std::optional<Result<void>> m_started;
  std::string m_container_problem;  // why job containers cannot reach the services
  EnvList m_forge_env;              // a forge's artifact service, when the run is a forge's task
};

/// Where a run's artifacts go: `<option>/<run_id>` (relative to `repo_dir`) when `--artifact-dir`
/// is set, else `<record_dir>/artifacts`.
[[nodiscard]] std::string artifacts_dir(const std::string& option, const std::string& repo_dir,
                                        const std::string& record_dir, const std::string& run_id);

/// The cache's scope for a run: the repository's key and the refs of its `github` context; a
/// repository without commits saves under its default branch.
[[nodiscard]] cache::RunScope cache_scope(const std::string& repository, const std::string& workspace,
                                          const nlohmann::json& github, const std::string& default_branch);

/// The address job containers reach this machine at: the engine's default bridge gateway; "" without an engine.
[[nodiscard]] std::string container_gateway(ContainerActions* engine);

}  // namespace pipeline::runner::job
