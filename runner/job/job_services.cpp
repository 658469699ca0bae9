#include "runner/job/job_services.hpp"

#include <filesystem>

#include "runner/config/config.hpp"
#include "runner/services/artifact_names.hpp"

namespace pipeline::runner::job {

JobServices::JobServices(std::string run_id, std::string artifacts_dir, std::function<std::string()> container_address,
                         const std::string& cache_dir, cache::RunScope cache_scope)
    : m_run_id(std::move(run_id)),
      m_container_address(std::move(container_address)),
      m_store(std::move(artifacts_dir)),
      m_artifacts(m_host, m_run_id, m_store),
      m_v3_store(m_store),
      m_v3_artifacts(m_run_id, m_v3_store),
      m_cache_store(cache_dir.empty() ? cache::default_root(config::process_environment())
                                      : std::filesystem::absolute(cache_dir)),
      m_cache(m_cache_store, std::move(cache_scope), m_host) {
  m_host.mount(m_artifacts);
  m_host.mount(m_v3_artifacts);
  m_host.mount(m_cache);
}

Result<EnvList> JobServices::job_env(const std::string& job_id, JobReach reach) {
  {
    std::lock_guard lock(m_mutex);
    if (!m_started) {
      services::ListenAddresses addresses;
      addresses.containers = m_container_address ? m_container_address() : std::string();
      m_container_problem = addresses.containers.empty() ? "the container engine's bridge gateway is unknown" : "";
      m_started = m_host.start(addresses);
      if (!*m_started && !addresses.containers.empty()) {
        // Jobs on this machine still get their services when the engine's gateway cannot be bound.
        m_container_problem = m_started->error().message;
        addresses.containers.clear();
        m_started = m_host.start(addresses);
      }
    }
  }
  if (!*m_started) {
    return m_started->error();
  }
  const auto where = reach == JobReach::host_network ? services::Reach::host : services::Reach::containers;
  if (!m_host.reachable(where)) {
    return Error{"job containers cannot reach pipe's services: " + m_container_problem};
  }
  const services::Caller caller{m_run_id, job_id};
  if (m_forge_env.empty()) {
    return m_host.job_env(caller, where);
  }
  for (const auto& [name, value] : m_forge_env) {
    if (name == "ACTIONS_RUNTIME_TOKEN") {
      m_host.accept_token(value, caller);
    }
  }
  return services::with_forge_results(m_host.job_env(caller, where), m_forge_env);
}

nlohmann::json JobServices::record() {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& info : m_store.list()) {
    nlohmann::json item{{"name", info.name}, {"size", info.size}, {"digest", info.digest}, {"job", info.job}};
    if (info.expires_at != 0) {
      item["expires_at"] = services::format_timestamp(info.expires_at);
    }
    list.push_back(std::move(item));
  }
  return list;
}

std::string artifacts_dir(const std::string& option, const std::string& repo_dir, const std::string& record_dir,
                          const std::string& run_id) {
  if (option.empty()) {
    return record_dir + "/artifacts";
  }
  const std::filesystem::path base(option);
  return ((base.is_absolute() ? base : std::filesystem::path(repo_dir) / base) / run_id).lexically_normal().string();
}

cache::RunScope cache_scope(const std::string& repository, const std::string& workspace, const nlohmann::json& github,
                            const std::string& default_branch) {
  const std::string branch = default_branch.empty() ? "main" : default_branch;
  const auto text = [&github](const char* name) {
    return github.is_object() && github.contains(name) && github[name].is_string() ? github[name].get<std::string>()
                                                                                    : std::string();
  };
  const std::string ref = text("ref");
  return cache::RunScope{cache::repository_key(repository, workspace), ref.empty() ? "refs/heads/" + branch : ref,
                         text("base_ref"), branch};
}

std::string container_gateway(ContainerActions* engine) {
  return engine ? engine->host_gateway() : std::string();
}

}  // namespace pipeline::runner::job
