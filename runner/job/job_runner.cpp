#include "runner/job/job_execution.hpp"
#include "runner/job/environments.hpp"
#include "runner/job/job_containers.hpp"
#include "runner/job/warm_demand.hpp"
#include "workflow/base/json_text.hpp"

extern char** environ;

namespace pipeline::runner::job::detail {


void JobExecution::notice(std::string text, const std::string& step) {
  engine::Event event;
  event.kind = engine::EventKind::notice;
  event.job = m_name;
  event.step = step;
  event.text = std::move(text);  // the reporter masks it
  m_run.reporter->post(std::move(event));
}

void JobExecution::fail(const std::string& step, const std::string& message) {
  engine::Annotation a;
  a.level = engine::AnnotationLevel::error;
  a.message = message;
  post_annotation(*m_run.reporter, m_name, step, std::move(a));
}

expr::Status JobExecution::status() const {
  if (m_cancel.cancelled()) {
    return expr::Status::cancelled;
  }
  return m_failed ? expr::Status::failure : expr::Status::success;
}

expr::Value JobExecution::runner_context() const {
  expr::Value runner = expr::Value::object();
  runner.set("name", "pipe");
  runner.set("os", "Linux");
  runner.set("arch", "X64");
  runner.set("environment", "self-hosted");
  runner.set("temp", m_env ? m_env->temp_dir : "");
  runner.set("tool_cache", m_env ? m_env->tool_cache : "");
  runner.set("workspace", m_env ? m_env->workspace : m_run.workspace);
  runner.set("debug", m_run.options->verbose ? "1" : "");
  return runner;
}

expr::Value JobExecution::job_context() const {
  expr::Value job = expr::Value::object();
  job.set("status", result_word(m_cancel.cancelled() ? engine::NodeResult::cancelled
                                : m_failed         ? engine::NodeResult::failure
                                                   : engine::NodeResult::success));
  expr::Value container = expr::Value::object();
  container.set("id", m_env && m_env->in_container ? m_env->id : "");
  container.set("network", m_env ? m_env->network : "");
  job.set("container", container);
  expr::Value services = expr::Value::object();
  if (m_env) {
    for (const auto& service : m_env->services) {
      expr::Value s = expr::Value::object();
      s.set("id", service.id);
      s.set("network", service.network);
      expr::Value ports = expr::Value::object();
      for (const auto& [inner, outer] : service.ports) {
        ports.set(inner, outer);
      }
      s.set("ports", ports);
      services.set(service.key, s);
    }
  }
  job.set("services", services);
  add_workflow_origin(job);
  return job;
}

expr::Value JobExecution::steps_context() const {
  expr::Value steps = expr::Value::object();
  for (const auto& record : m_scope->steps) {
    if (record.id.empty()) {
      continue;
    }
    expr::Value step = expr::Value::object();
    step.set("outputs", string_map(record.outputs));
    step.set("outcome", record.outcome);
    step.set("conclusion", record.conclusion);
    steps.set(record.id, step);
  }
  return steps;
}

expr::MapContext JobExecution::contexts(const EnvList& env) const {
  expr::MapContext ctx;
  ctx.set("github", m_github_value);
  ctx.set("env", env_context(env));
  ctx.set("job", job_context());
  ctx.set("steps", steps_context());
  ctx.set("runner", runner_context());
  ctx.set("matrix", expr::Value::from_json(m_instance.matrix));
  ctx.set("strategy", m_instance.strategy);
  ctx.set("needs", m_instance.needs);
  ctx.set("inputs", m_scope->composite ? m_scope->inputs : m_run.inputs);
  ctx.set("secrets", m_run.secrets);
  ctx.set("vars", m_run.vars);
  ctx.set_status(status());
  const std::string root = m_run.workspace;
  const std::string visible = m_env ? m_env->workspace : std::string();  // github.workspace, for absolute patterns
  ctx.set_hash_files(
      [root, visible](const std::vector<std::string>& patterns) { return expr::hash_files(root, patterns, visible); });
  return ctx;
}

Result<void> JobExecution::evaluate_job_env() {
  // Workflows written for act guard steps that cannot run locally with `if: ${{ !env.ACT }}`;
  // those guards work unchanged, and any env: or env file may still set the names.
  m_job_env = {{"ACT", "true"}, {"PIPE", "true"}};
  for (const auto& [name, value] : m_run.env_file) {
    set_env(m_job_env, name, value);
  }
  auto ctx = contexts(m_job_env);
  if (auto r = evaluate_env(m_instance.workflow->env, ctx, m_job_env); !r) {
    return r;
  }
  ctx = contexts(m_job_env);
  return evaluate_env(m_job.env, ctx, m_job_env);
}

Result<std::vector<std::string>> JobExecution::labels(expr::MapContext& ctx) const {
  if (!m_job.runs_on) {
    return std::vector<std::string>{};
  }
  auto runs_on = evaluate_node(*m_job.runs_on, ctx);
  if (!runs_on) {
    return runs_on.error();
  }
  return runs_on_labels(*runs_on);
}

std::optional<std::string> JobExecution::unserved_label(expr::MapContext& ctx) const {
  auto evaluated = labels(ctx);
  if (!evaluated) {
    return std::nullopt;  // the error is reported when the job is prepared
  }
  auto choice = engine::choose_platform(*evaluated, m_run.options->platforms);
  if (!choice.image.empty()) {
    return std::nullopt;
  }
  return choice.unserved;
}

JobOutcome JobExecution::without_runner(const std::string& label) {
  JobOutcome outcome;
  const std::string message = engine::no_runner_message(label);
  if (m_run.options->strict) {
    engine::Event begin;
    begin.kind = engine::EventKind::job_started;
    begin.job = m_name;
    m_run.reporter->post(std::move(begin));
    fail("", message);
    outcome.result = engine::NodeResult::failure;
  } else {
    notice("skipped: " + message);
    outcome.result = engine::NodeResult::skipped;
  }
  post_job_finished(*m_run.reporter, m_name, outcome.result);
  return outcome;
}

Result<JobSpec> JobExecution::job_spec() {
  auto ctx = contexts(m_job_env);
  auto evaluated = labels(ctx);
  if (!evaluated) {
    return evaluated.error();
  }
  const std::vector<std::string>& labels = *evaluated;
  JobSpec spec;
  spec.run_id = m_run.run_id;
  spec.display_name = m_name;
  spec.workspace = m_run.workspace;
  spec.copy_workspace = m_run.options->workspace == WorkspaceMode::copy;
  std::string container_image;
  if (m_job.container) {
    auto container = evaluate_container(*m_job.container, ctx, "'container'");
    if (!container) {
      return container.error();
    }
    // An image that evaluates empty means no container on GitHub: the job runs as without `container:`.
    if (!container->image.empty()) {
      container_image = container->image;
      spec.credentials = container->credentials;
      spec.env = std::move(container->env);
      spec.ports = std::move(container->ports);
      spec.volumes = std::move(container->volumes);
      spec.options = std::move(container->options);
      spec.use_host_network = false;
    }
  }
  auto services = evaluate_services(m_job, ctx);
  if (!services) {
    return services.error();
  }
  spec.services = std::move(*services);
  // A registry password written into the workflow is masked like a secret, as GitHub's runner does.
  auto mask = [this](const std::optional<std::pair<std::string, std::string>>& credentials) {
    if (credentials && m_run.masker != nullptr) {
      (void)m_run.masker->add_secret(credentials->second);
    }
  };
  mask(spec.credentials);
  for (const ServiceSpec& service : spec.services) {
    mask(service.credentials);
  }
  auto placement = m_run.place(labels, container_image);
  if (!placement) {
    return placement.error();
  }
  m_placement = *placement;
  spec.image = m_placement.image;
  if (!spec.image.empty()) {
    add_action_mounts(spec);
    if (m_run.options->reuse) {
      const auto workflow = std::filesystem::absolute(m_instance.workflow->path).lexically_normal();
      spec.reuse = ReuseKey{workflow.string(), m_job.id.value, json_text(m_instance.matrix)};
      spec.reuse_idle = m_run.options->reuse_idle;
    }
    // Jobs still to come that want the same container (the rest of a matrix, parallel jobs
    // waiting for a slot or their needs): the backend may start theirs now.
    if (m_run.warm_demand && !m_instance.warm_class.empty()) {
      spec.jobs_to_come = [demand = m_run.warm_demand, warm_class = m_instance.warm_class] {
        return demand->to_come(warm_class);
      };
    }
    // Power-user flags reach every job container, after the workflow's own options.
    const RunOptions& options = *m_run.options;
    if (options.privileged) {
      spec.options += " --privileged";
    }
    for (const auto& cap : options.cap_add) {
      spec.options += " --cap-add " + cap;
    }
    for (const auto& cap : options.cap_drop) {
      spec.options += " --cap-drop " + cap;
    }
    spec.network = options.network;
    if (!options.container_options.empty()) {
      spec.options += " " + options.container_options;
    }
  }
  return spec;
}

void JobExecution::write_event_file() {
  const std::string path = m_env->temp_dir + "/_github_workflow/event.json";
  auto written = m_placement.backend->write_file(*m_env, path, json_text(m_github["event"], 2));
  if (written) {
    m_github["event_path"] = path;
    m_github_value = expr::Value::from_json(m_github);
  }
}

Result<void> JobExecution::prepare() {
  auto spec = job_spec();
  if (!spec) {
    return spec.error();
  }
  static std::atomic<int> sequence{0};
  spec->job_id = m_job.id.value + "-" + std::to_string(++sequence);
  auto env = m_placement.backend->prepare_job(*spec);
  if (!env) {
    return env.error();
  }
  m_env = std::move(*env);
  m_github["workspace"] = m_env->workspace;
  m_github_value = expr::Value::from_json(m_github);
  write_event_file();
  connect_services(spec->job_id);
  return {};
}

void JobExecution::connect_services(const std::string& job_id) {
  // Only actions use the services (upload-artifact, cache): a job of scripts runs without them.
  const bool uses_actions =
      std::any_of(m_job.steps.begin(), m_job.steps.end(), [](const Step& step) { return step.uses.has_value(); });
  if (!m_run.services || !uses_actions) {
    return;
  }
  // A container job sits on its own network; a job on the host (or a host-network container) has loopback.
  const JobReach reach = m_placement.job_container ? JobReach::container_network : JobReach::host_network;
  auto env = m_run.services->job_env(job_id, reach);
  if (!env) {
    notice("warning: artifacts are not available to this job: " + env.error().message);
    return;
  }
  m_service_env = std::move(*env);
  for (const auto& [name, value] : m_service_env) {
    if (name == "ACTIONS_RUNTIME_TOKEN") {
      (void)m_run.masker->add_secret(value);
    }
  }
}

Result<FileCommandPaths> JobExecution::create_file_commands() {
  const std::string dir = m_env->temp_dir + "/_runner_file_commands/";
  const std::string suffix = engine::random_script_name();
  FileCommandPaths files{dir + "set_env_" + suffix, dir + "set_output_" + suffix, dir + "save_state_" + suffix,
                         dir + "add_path_" + suffix, dir + "step_summary_" + suffix};
  for (const auto* path : {&files.env, &files.output, &files.state, &files.path, &files.summary}) {
    if (auto r = m_placement.backend->write_file(*m_env, *path, "", 0666); !r) {
      return r.error();
    }
  }
  return files;
}

EnvList JobExecution::process_env(const EnvList& step_env, const FileCommandPaths& files,
                                  const std::string& action_id) const {
  EnvList env;
  if (!m_env->in_container && !m_isolated_env) {
    // On the host a step sees pipe's own environment, as a runner's steps see the runner's.
    for (char** e = environ; e && *e; ++e) {
      std::string_view entry(*e);
      const auto eq = entry.find('=');
      if (eq != std::string_view::npos) {
        env.emplace_back(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
      }
    }
  }
  const auto& g = m_github;
  auto text = [&](const char* key) { return g.contains(key) && g[key].is_string() ? g[key].get<std::string>() : ""; };
  const EnvList defaults{
      {"CI", "true"}, {"GITHUB_ACTIONS", "true"}, {"GITHUB_ACTION", action_id},
      {"GITHUB_ACTION_PATH", ""}, {"GITHUB_ACTION_REF", ""}, {"GITHUB_ACTION_REPOSITORY", ""},
      {"GITHUB_ACTOR", text("actor")}, {"GITHUB_ACTOR_ID", text("actor_id")},
      {"GITHUB_API_URL", text("api_url")}, {"GITHUB_BASE_REF", text("base_ref")},
      {"GITHUB_ENV", files.env}, {"GITHUB_EVENT_NAME", text("event_name")},
      {"GITHUB_EVENT_PATH", text("event_path")}, {"GITHUB_GRAPHQL_URL", text("graphql_url")},
      {"GITHUB_HEAD_REF", text("head_ref")}, {"GITHUB_JOB", m_job.id.value}, {"GITHUB_OUTPUT", files.output},
      {"GITHUB_PATH", files.path}, {"GITHUB_REF", text("ref")}, {"GITHUB_REF_NAME", text("ref_name")},
      {"GITHUB_REF_PROTECTED", "false"}, {"GITHUB_REF_TYPE", text("ref_type")},
      {"GITHUB_REPOSITORY", text("repository")}, {"GITHUB_REPOSITORY_ID", text("repository_id")},
      {"GITHUB_REPOSITORY_OWNER", text("repository_owner")},
      {"GITHUB_REPOSITORY_OWNER_ID", text("repository_owner_id")}, {"GITHUB_RETENTION_DAYS", "90"},
      {"GITHUB_RUN_ATTEMPT", "1"}, {"GITHUB_RUN_ID", text("run_id")}, {"GITHUB_RUN_NUMBER", text("run_number")},
      {"GITHUB_SERVER_URL", text("server_url")}, {"GITHUB_SHA", text("sha")}, {"GITHUB_STATE", files.state},
      {"GITHUB_STEP_SUMMARY", files.summary}, {"GITHUB_TRIGGERING_ACTOR", text("triggering_actor")},
      {"GITHUB_WORKFLOW", text("workflow")}, {"GITHUB_WORKFLOW_REF", text("workflow_ref")},
      {"GITHUB_WORKFLOW_SHA", text("workflow_sha")}, {"GITHUB_WORKSPACE", m_env->workspace},
      {"RUNNER_NAME", "pipe"}, {"RUNNER_OS", "Linux"}, {"RUNNER_ARCH", "X64"}, {"RUNNER_TEMP", m_env->temp_dir},
      {"RUNNER_TOOL_CACHE", m_env->tool_cache}, {"RUNNER_ENVIRONMENT", "self-hosted"},
      {"RUNNER_WORKSPACE", m_env->workspace}};
  for (const auto& [name, value] : defaults) {
    set_env(env, name, value);
  }
  for (const auto& [name, value] : m_service_env) {
    set_env(env, name, value);
  }
  if (m_run.options->verbose) {
    set_env(env, "RUNNER_DEBUG", "1");
  }
  for (const auto& [name, value] : m_job_env) {
    set_env(env, name, value);
  }
  for (const auto& [name, value] : step_env) {
    set_env(env, name, value);
  }
  if (!m_path_additions.empty()) {
    std::string path;
    for (auto it = m_path_additions.rbegin(); it != m_path_additions.rend(); ++it) {
      path += *it + ':';
    }
    const std::string* current = find_env(env, "PATH");
    path += current ? *current : k_container_path;
    set_env(env, "PATH", path);
  }
  return env;
}

void JobExecution::evaluate_outputs(JobOutcome& outcome) {
  if (!m_job.outputs || !m_job.outputs->is_mapping()) {
    return;
  }
  auto ctx = contexts(m_job_env);
  for (const auto& entry : m_job.outputs->entries) {
    auto value = evaluate_string(entry.value, ctx);
    if (!value) {
      notice("output '" + entry.key + "': " + value.error().message);
      continue;
    }
    set_env(outcome.outputs, entry.key, std::move(*value));
  }
}

JobOutcome JobExecution::run() {
  m_name = m_instance.display_name;
  m_github = m_run.github;
  m_github["job"] = m_job.id.value;
  m_github_value = expr::Value::from_json(m_github);
  auto ctx = contexts(m_job_env);
  // A job for macOS, Windows or a custom runner is not run on this machine's Linux.
  if (auto label = unserved_label(ctx)) {
    return without_runner(*label);
  }
  JobOutcome outcome;
  const auto started = Clock::now();
  engine::Event begin;
  begin.kind = engine::EventKind::job_started;
  begin.job = m_name;
  m_run.reporter->post(std::move(begin));

  if (m_job.timeout_minutes) {
    if (auto v = evaluate_node(*m_job.timeout_minutes, ctx); v && v->to_number() > 0) {
      m_job_timeout_minutes = v->to_number();
    }
  }
  m_deadline = started + std::chrono::milliseconds(static_cast<long long>(m_job_timeout_minutes * 60000.0));
  auto env_ok = evaluate_job_env();
  if (env_ok) {
    env_ok = evaluate_default_shell();
  }
  auto prepared = env_ok ? prepare() : env_ok;
  if (!prepared) {
    fail("", prepared.error().message);
    outcome.result = engine::NodeResult::failure;
  } else {
    m_root.steps.resize(m_job.steps.size());
    run_pre_steps();
    for (std::size_t i = 0; i < m_job.steps.size(); ++i) {
      run_step(m_job.steps[i], i);
    }
    join_all_background();  // as GitHub does before post steps: background steps never outlive the job
    run_post_steps();
    evaluate_outputs(outcome);
    outcome.result = m_cancel.cancelled() ? engine::NodeResult::cancelled
                     : m_failed           ? engine::NodeResult::failure
                                          : engine::NodeResult::success;
    m_placement.backend->teardown(*m_env);
  }
  if (outcome.result == engine::NodeResult::failure && continue_on_error(m_job.continue_on_error, ctx)) {
    notice("the job failed, but continue-on-error is set");
    outcome.result = engine::NodeResult::success;
  }
  engine::Event end;
  end.kind = engine::EventKind::job_finished;
  end.job = m_name;
  end.result = outcome.result;
  end.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  describe_environment(end);
  m_run.reporter->post(std::move(end));
  return outcome;
}

}  // namespace pipeline::runner::job::detail

namespace pipeline::runner::job {

JobOutcome run_job(RunState& run, const JobInstance& instance, CancelToken& cancel) {
  if (run.warm_demand && !instance.warm_class.empty()) {
    run.warm_demand->started(instance.warm_class);  // before its container is taken: see WarmPool::top_up
  }
  auto environment = enter_environment(run, instance);  // approval, and its secrets and vars
  if (environment.ended) {
    return *environment.ended;
  }
  detail::JobExecution execution(environment.state ? *environment.state : run, instance, cancel);
  return execution.run();
}

}  // namespace pipeline::runner::job

