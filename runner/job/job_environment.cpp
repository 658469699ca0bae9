// The deployment environment a job ran in, as its job_finished event names it.
#include "runner/job/environments.hpp"
#include "runner/job/job_execution.hpp"

namespace pipeline::runner::job::detail {

void JobExecution::describe_environment(engine::Event& end) {
  if (!m_job.environment) {
    return;
  }
  // Evaluated after the steps, as on GitHub, so the url can name a step's output.
  auto ctx = contexts(m_job_env);
  auto name = environment_name(m_job, ctx);
  if (!name || name->empty()) {
    return;
  }
  end.environment = *name;
  auto url = environment_url(m_job, ctx);
  if (!url) {
    notice("environment.url: " + url.error().message);
    return;
  }
  end.environment_url = *url;
}

}  // namespace pipeline::runner::job::detail
