// `uses:` steps of a job: resolution, composite, JavaScript and Docker actions, pre and post.
#include "runner/job/job_execution.hpp"
#include "runner/job/warm_demand.hpp"

namespace pipeline::runner::job::detail {

EnvList JobExecution::scope_env() const {
  return overlay(m_job_env, m_scope->env);
}

Result<ActionPtr> JobExecution::resolve_action(const Step& step) {
  // `$/` names the repository of the file it is written in (a fetched composite action, a fetched
  // called workflow, or else the tree pipe runs), so the same text can mean two actions: they
  // are told apart by where they point.
  const auto origin = m_scope->composite ? std::nullopt : m_run.resolver->origin_of(m_instance.workflow->path);
  const actions::ResolvedAction* enclosing = m_scope->composite ? m_scope->action.get() : origin ? &*origin : nullptr;
  const std::string uses = actions::anchor_self_reference(step.uses->value, enclosing);
  if (auto it = m_actions.find(uses); it != m_actions.end()) {
    return it->second;
  }
  // A composite's `./` paths are relative to the workspace, as on GitHub.
  auto resolved = m_run.resolver->resolve(uses, m_run.workspace);
  if (!resolved) {
    return Error{where_prefix(step.uses->where) + resolved.error().message};
  }
  if (resolved->downloaded) {
    notice("Download action repository '" + resolved->repository + "@" + resolved->ref + "' (SHA:" + resolved->sha +
           ")");
  }
  if (actions::is_self_reference(step.uses->value) && resolved->kind == actions::ActionKind::local) {
    // On GitHub `$/` fetches this repository at the running commit, and the action sees that.
    resolved->repository = m_github.value("repository", "");
    resolved->ref = m_github.value("sha", "");
  }
  auto action = std::make_shared<const actions::ResolvedAction>(std::move(*resolved));
  m_actions.emplace(uses, action);
  return action;
}

EnvList JobExecution::action_env(const ActionPtr& action, const ActionInputs& inputs, EnvList step_env) const {
  for (const auto& [name, value] : inputs.values) {
    set_env(step_env, input_env_name(name), value);
  }
  set_env(step_env, "GITHUB_ACTION_PATH", action->dir);
  set_env(step_env, "GITHUB_ACTION_REPOSITORY", action->repository);
  set_env(step_env, "GITHUB_ACTION_REF", action->ref);
  return step_env;
}

Result<engine::NodeResult> JobExecution::run_action_step(const Step& step, const std::string& name, std::size_t index,
                                                 expr::MapContext& ctx, EnvList& step_env) {
  if (is_checkout(step.uses->value)) {
    return run_checkout(step, name, ctx);
  }
  auto action = resolve_action(step);
  if (!action) {
    return action.error();
  }
  const auto& resolved = **action;
  static const workflow::ActionManifest k_no_manifest;
  const auto& manifest = resolved.manifest ? *resolved.manifest : k_no_manifest;
  auto inputs = evaluate_action_inputs(manifest, step.with, ctx);
  if (!inputs) {
    return Error{where_prefix(step.uses->where) + inputs.error().message};
  }
  if (!resolved.manifest) {
    inputs->warnings.clear();  // docker:// declares no inputs: every with: entry is passed on
  }
  for (const auto& warning : inputs->warnings) {
    engine::Annotation a;
    a.level = engine::AnnotationLevel::warning;
    a.message = warning;
    post_annotation(*m_run.reporter, m_name, name, std::move(a));
  }
  StepContextEntry& record = m_scope->steps[index];
  const std::string& using_ = manifest.runs.using_.value;
  if (resolved.manifest && using_ == "composite") {
    return run_composite(*action, *inputs, name, record, step_env);
  }
  if (is_container_action(resolved) || is_node_runtime(using_)) {
    EnvList env = action_env(*action, *inputs, step_env);
    auto result = run_stage(*action, ActionStage::main, step, name, record, ctx, env, *inputs);
    if (has_stage(resolved, ActionStage::post)) {
      m_post_steps.push_back(PostStep{&step, *action, "Post " + name, env, *inputs});
    }
    return result;
  }
  return Error{where_prefix(manifest.runs.using_.where) + "runs.using: '" + using_ + "' is not supported"};
}

void JobExecution::add_action_mounts(JobSpec& spec) const {
  if (!uses_fetched_actions(m_job)) {
    return;
  }
  // Fetched actions keep their host paths inside the job container, as local ones (in the workspace) do.
  std::error_code ec;
  std::filesystem::create_directories(m_run.resolver->cache_dir(), ec);
  spec.mounts.push_back({m_run.resolver->cache_dir(), m_run.resolver->cache_dir(), true});
  const std::string node = host_node();
  if (!node.empty()) {
    spec.mounts.push_back({node, k_container_node, true});
  }
}

Result<engine::NodeResult> JobExecution::run_checkout(const Step& step, const std::string& name, expr::MapContext& ctx) {
  auto input = [&](const char* key) -> std::string {
    const workflow::Node* node = step.with ? step.with->find(key) : nullptr;
    if (!node) {
      return "";
    }
    auto value = evaluate_string(*node, ctx);
    return value ? *value : node->scalar;
  };
  CheckoutRequest request;
  request.repository = input("repository");
  request.ref = input("ref");
  request.path = input("path");
  request.fetch_depth = input("fetch-depth");
  request.current_repository = m_github.value("repository", "");
  request.source = m_run.workspace;
  // A container job in bind mode sees the user's tree; elsewhere the job's own workspace is on the host.
  request.workspace = m_env->in_container ? m_run.workspace : m_env->workspace;
  if (m_env->in_container && m_run.options->workspace == WorkspaceMode::copy) {
    notice("actions/checkout: the workspace copy is already checked out; inputs are ignored in --copy container jobs",
           name);
    return engine::NodeResult::success;
  }
  auto notices = local_checkout(request, *m_run.resolver);
  if (!notices) {
    return Error{where_prefix(step.uses->where) + notices.error().message};
  }
  if (notices->empty()) {
    notice("actions/checkout: the workspace is the local repository", name);
  }
  for (const auto& text : *notices) {
    notice(text, name);
  }
  return engine::NodeResult::success;
}

Result<engine::NodeResult> JobExecution::run_composite(const ActionPtr& action, const ActionInputs& inputs,
                                               const std::string& name, StepContextEntry& record,
                                               const EnvList& step_env) {
  if (m_scope->depth >= k_max_composite_depth) {
    return Error{"Composite action depth exceeded max depth " + std::to_string(k_max_composite_depth)};
  }
  const auto& manifest = *action->manifest;
  Scope scope;
  scope.composite = true;
  scope.depth = m_scope->depth + 1;
  scope.env = step_env;
  scope.inputs = inputs_context(inputs.values);
  scope.action = action;
  scope.display = name;
  scope.steps.resize(manifest.runs.steps.size());
  // The action's steps see their own status and github.action_path; the job's come back after.
  Scope* outer = m_scope;
  const bool outer_failed = m_failed;
  const expr::Value outer_github = m_github_value;
  nlohmann::json github = m_github;
  github["action_path"] = action->dir;
  github["action_repository"] = action->repository;
  github["action_ref"] = action->ref;
  m_github_value = expr::Value::from_json(github);
  m_scope = &scope;
  m_failed = false;
  for (std::size_t i = 0; i < manifest.runs.steps.size(); ++i) {
    run_step(manifest.runs.steps[i], i);
  }
  const bool failed = m_failed;
  auto ctx = contexts(scope_env());
  for (auto& [key, value] : evaluate_action_outputs(manifest, ctx)) {
    set_env(record.outputs, key, std::move(value));
  }
  m_scope = outer;
  m_failed = outer_failed;
  m_github_value = outer_github;
  return failed ? engine::NodeResult::failure : engine::NodeResult::success;
}

Result<engine::NodeResult> JobExecution::run_node_stage(const ActionPtr& action, ActionStage stage, const Step& step,
                                                const std::string& name, StepContextEntry& record,
                                                expr::MapContext& ctx, EnvList step_env) {
  const std::string entry = node_entry(*action->manifest, stage);
  for (const auto& [key, value] : m_action_state[&step]) {
    set_env(step_env, "STATE_" + key, value);
  }
  // node runs without a shell in between: dash and busybox sh drop environment variables whose
  // names are not shell identifiers, and INPUT_NODE-VERSION is one.
  const std::string file = action->dir + "/" + entry;
  const std::string using_ = action->manifest->runs.using_.value;
  const std::string action_id = step.id ? step.id->value : "__" + action->repository;
  EnvList state;
  m_state_sink = &state;
  auto result = execute_step(step, name, record, ctx, step_env, action_id,
                             [&](const engine::ScriptStep& prepared, OutputSink& sink) -> Result<ExitStatus> {
                               auto node = pick_node(using_, prepared.env, name);
                               if (!node) {
                                 return node.error();
                               }
                               ExecSpec exec{{*node, file}, prepared.env, m_env->workspace, prepared.timeout,
                                             prepared.cancel};
                               return m_placement.backend->exec(*m_env, exec, sink);
                             });
  m_state_sink = nullptr;
  for (auto& [key, value] : state) {
    set_env(m_action_state[&step], key, std::move(value));
  }
  return result;
}

// The nodes a JavaScript action could run with here, best first: in a container the image's own,
// then the host's mounted read-only (as GitHub's runner mounts its own); on the host, the host's.
std::vector<NodeInstall> JobExecution::find_node_installs(const EnvList& env) {
  const std::string host = host_node();
  std::vector<std::string> candidates;
  if (m_env->in_container) {
    candidates.push_back("node");
    if (!host.empty()) {
      candidates.push_back(k_container_node);
    }
  } else if (!host.empty()) {
    candidates.push_back(host);
  }
  std::vector<NodeInstall> installs;
  for (const auto& path : candidates) {
    CollectSink sink;
    ExecSpec probe{{path, "--version"}, env, "", std::chrono::milliseconds{0}, &m_cancel};
    auto status = m_placement.backend->exec(*m_env, probe, sink);
    const std::string version = first_line(sink.out);
    if (status && status->code == 0 && node_major(version) > 0) {
      installs.push_back({path, version});
    }
  }
  return installs;
}

Result<std::string> JobExecution::pick_node(const std::string& using_, const EnvList& env, const std::string& name) {
  if (!m_node_installs) {
    m_node_installs = find_node_installs(env);
  }
  auto choice = choose_node(using_, *m_node_installs);
  if (!choice) {
    if (!m_env->in_container) {
      return Error{"No node to run this " + using_ + " action: there is no `node` on PATH"};
    }
    return Error{"No node to run this " + using_ + " action: the image " +
                 (m_placement.image.empty() ? std::string("of the job") : "'" + m_placement.image + "'") +
                 " has no `node`, and " +
                 (host_node().empty() ? std::string("the host has none to mount")
                                      : "the host's node (mounted at " + std::string(k_container_node) +
                                            ") does not run in it")};
  }
  if (!choice->warning.empty() && m_node_warnings.insert(using_).second) {
    engine::Annotation warning;
    warning.level = engine::AnnotationLevel::warning;
    warning.message = choice->warning;
    post_annotation(*m_run.reporter, m_name, name, std::move(warning));
  }
  return choice->path;
}

Result<engine::NodeResult> JobExecution::run_stage(const ActionPtr& action, ActionStage stage, const Step& step,
                                           const std::string& name, StepContextEntry& record, expr::MapContext& ctx,
                                           const EnvList& step_env, const ActionInputs& inputs) {
  if (is_container_action(*action)) {
    return run_docker_stage(action, stage, step, name, record, ctx, step_env, inputs);
  }
  return run_node_stage(action, stage, step, name, record, ctx, step_env);
}

Result<engine::NodeResult> JobExecution::run_docker_stage(const ActionPtr& action, ActionStage stage, const Step& step,
                                                  const std::string& name, StepContextEntry& record,
                                                  expr::MapContext& ctx, const EnvList& step_env,
                                                  const ActionInputs& inputs) {
  ContainerActions* engine = m_run.container_actions ? m_run.container_actions() : nullptr;
  if (!engine) {
    return Error{"Docker container actions need a container engine, and none answers"};
  }
  auto image = prepare_action_image(*engine, *action, {});
  if (!image) {
    return image.error();
  }
  ContainerRun run;
  run.run_id = m_run.run_id;
  run.job_id = m_job.id.value;
  run.image = *image;
  run.workdir = "/github/workspace";
  EnvList env = step_env;
  for (const auto& [key, value] : m_action_state[&step]) {
    set_env(env, "STATE_" + key, value);
  }
  auto command = docker_action_command(*action, stage, inputs, ctx, env);
  if (!command) {
    return command.error();
  }
  run.entrypoint = std::move(command->entrypoint);
  run.args = std::move(command->args);
  const std::string host_temp = m_env->host_temp_dir.empty() ? m_env->temp_dir : m_env->host_temp_dir;
  std::error_code ec;
  std::filesystem::create_directories(host_temp + "/_github_home", ec);
  run.mounts = action_mounts({m_env->in_container ? m_run.workspace : m_env->workspace,
                              host_temp + "/_runner_file_commands", host_temp + "/_github_home",
                              host_temp + "/_github_workflow"});
  const std::string action_id = step.id ? step.id->value : "__" + action->repository;
  EnvList state;
  m_state_sink = &state;
  m_isolated_env = true;
  auto result = execute_step(step, name, record, ctx, env, action_id, [&](const engine::ScriptStep& prepared, OutputSink& sink) {
    ContainerRun ready = run;
    ready.env = container_action_env(prepared.env);
    ready.timeout = prepared.timeout;
    ready.cancel = prepared.cancel;
    return engine->run_container(*m_env, ready, sink);
  });
  m_isolated_env = false;
  m_state_sink = nullptr;
  for (auto& [key, value] : state) {
    set_env(m_action_state[&step], key, std::move(value));
  }
  return result;
}

void JobExecution::run_stage_step(const Step& step, const ActionPtr& action, ActionStage stage,
                                  const std::string& name, const EnvList& env, const ActionInputs& inputs) {
  const auto started = Clock::now();
  auto ctx = contexts(m_job_env);
  m_step_after_cancel = m_cancel.cancelled();
  auto run_it = expr::evaluate_condition(stage_condition(*action->manifest, stage), ctx);
  if (!run_it || !*run_it) {
    if (!run_it) {
      fail(name, run_it.error().message);
    }
    finish_step(name, engine::NodeResult::skipped, started);
    return;
  }
  post_step_started(name);
  StepContextEntry record;
  auto ran = run_stage(action, stage, step, name, record, ctx, env, inputs);
  engine::NodeResult result = ran ? *ran : engine::NodeResult::failure;
  if (!ran) {
    fail(name, ran.error().message);
  }
  if (result == engine::NodeResult::failure) {
    m_failed = true;
  }
  finish_step(name, result, started);
}

void JobExecution::run_pre_steps() {
  for (const auto& step : m_job.steps) {
    if (!step.uses || is_checkout(step.uses->value) ||
        step.uses->value.rfind("docker://", 0) == 0) {
      continue;
    }
    auto action = resolve_action(step);
    // An action that cannot be resolved fails when its own step runs.
    if (!action || !has_stage(**action, ActionStage::pre)) {
      continue;
    }
    auto ctx = contexts(m_job_env);
    EnvList step_env;
    (void)evaluate_env(step.env, ctx, step_env);
    auto inputs = evaluate_action_inputs(*(*action)->manifest, step.with, ctx);
    if (!inputs) {
      continue;
    }
    run_stage_step(step, *action, ActionStage::pre, "Pre " + step_name(step, ctx),
                   action_env(*action, *inputs, step_env), *inputs);
  }
}

void JobExecution::run_post_steps() {
  // Post steps run last-registered first, whatever happened before them.
  for (auto it = m_post_steps.rbegin(); it != m_post_steps.rend(); ++it) {
    run_stage_step(*it->step, it->action, ActionStage::post, it->name, it->env, it->inputs);
  }
  m_post_steps.clear();
}

}  // namespace pipeline::runner::job::detail
