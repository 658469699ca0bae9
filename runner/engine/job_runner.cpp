#include "runner/engine/job_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "actions/resolver.hpp"
#include "runner/engine/action_step.hpp"
#include "runner/engine/checkout.hpp"
#include "runner/engine/docker_action.hpp"
#include "runner/docker/docker_backend.hpp"
#include "runner/engine/script.hpp"
#include "runner/engine/step_output.hpp"
#include "runner/output/file_commands.hpp"
#include "workflow/expr/hash_files.hpp"
#include "workflow/expr/template.hpp"

extern char** environ;

namespace pipeline::runner::engine {

namespace expr = workflow::expr;
using workflow::Node;
using workflow::Step;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double k_default_job_timeout_minutes = 360;
constexpr const char* k_container_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The per-step files GitHub's runner hands a step through GITHUB_ENV, GITHUB_OUTPUT, ...
struct FileCommandPaths {
  std::string env, output, state, path, summary;
};

/// What the `steps` context remembers of a step with an id.
struct StepRecord {
  std::string id;
  EnvList outputs;
  std::string outcome;
  std::string conclusion;
};

/// How deep composite actions may nest, as on GitHub.
constexpr int k_max_composite_depth = 9;

using ActionPtr = std::shared_ptr<const actions::ResolvedAction>;

/// The steps being run: the job's own, or those of a composite action with its own contexts.
struct Scope {
  std::vector<StepRecord> steps;
  bool composite = false;
  int depth = 0;
  EnvList env;            // the composite step's env, under each of its steps
  expr::Value inputs;     // the `inputs` context inside the composite
  ActionPtr action;       // the composite action
  std::string display;    // the outer step's name: inner steps report under it
};

/// Runs a step's process given its prepared environment, timeout and cancel token.
using StepProcess = std::function<Result<ExitStatus>(const ScriptStep& prepared, OutputSink& sink)>;

/// A JavaScript action's `post`, queued when its main step ran.
struct PostStep {
  const Step* step = nullptr;
  ActionPtr action;
  std::string name;
  EnvList env;  // the step's env and INPUT_ variables
  ActionInputs inputs;
};

/// Where the host's node is mounted in job containers whose image has none.
constexpr const char* k_container_node = "/__pipe/node/bin/node";

std::string first_line(std::string_view text) {
  while (!text.empty() && (text.front() == '\n' || text.front() == ' ')) {
    text.remove_prefix(1);
  }
  return std::string(text.substr(0, text.find('\n')));
}

std::vector<std::string> runs_on_labels(const expr::Value& value) {
  std::vector<std::string> labels;
  if (value.is_array()) {
    for (const auto& item : value.as_array()) {
      labels.push_back(item.to_display_string());
    }
  } else if (value.is_object()) {
    if (const auto* group_labels = value.find("labels")) {
      return runs_on_labels(*group_labels);
    }
  } else if (!value.is_null()) {
    labels.push_back(value.to_display_string());
  }
  return labels;
}

std::string result_word(NodeResult result) {
  return std::string(to_string(result));
}

/// One job instance in progress; the fields are the state GitHub keeps for a job.
class JobExecution {
public:
  JobExecution(RunState& run, const JobInstance& instance, CancelToken& cancel)
      : m_run(run), m_instance(instance), m_job(*instance.job), m_cancel(cancel) {}

  JobOutcome run();

private:
  // Setup and teardown.
  [[nodiscard]] Result<void> evaluate_job_env();
  [[nodiscard]] Result<JobSpec> job_spec();
  [[nodiscard]] Result<void> prepare();
  void add_action_mounts(JobSpec& spec) const;
  void write_event_file();
  // Contexts.
  [[nodiscard]] expr::MapContext contexts(const EnvList& env) const;
  [[nodiscard]] expr::Value steps_context() const;
  [[nodiscard]] expr::Value job_context() const;
  [[nodiscard]] expr::Value runner_context() const;
  [[nodiscard]] expr::Status status() const;
  // Steps.
  void run_step(const Step& step, std::size_t index);
  [[nodiscard]] std::string step_name(const Step& step, expr::MapContext& ctx) const;
  [[nodiscard]] Result<bool> should_run(const Step& step, expr::MapContext& ctx) const;
  [[nodiscard]] Result<NodeResult> run_script_step(const Step& step, const std::string& name, std::size_t index,
                                                   expr::MapContext& ctx, EnvList& step_env);
  [[nodiscard]] Result<NodeResult> execute_step(const Step& step, const std::string& name, StepRecord& record,
                                                expr::MapContext& ctx, const EnvList& step_env,
                                                const std::string& action_id, const StepProcess& process);
  [[nodiscard]] Result<NodeResult> execute_script(const Step& step, const std::string& name, StepRecord& record,
                                                  expr::MapContext& ctx, const EnvList& step_env,
                                                  const ScriptStep& script, const std::string& action_id);
  // Actions (uses:).
  [[nodiscard]] EnvList scope_env() const;
  [[nodiscard]] Result<ActionPtr> resolve_action(const Step& step);
  [[nodiscard]] Result<NodeResult> run_action_step(const Step& step, const std::string& name, std::size_t index,
                                                   expr::MapContext& ctx, EnvList& step_env);
  [[nodiscard]] Result<NodeResult> run_composite(const ActionPtr& action, const ActionInputs& inputs,
                                                 const std::string& name, StepRecord& record,
                                                 const EnvList& step_env);
  [[nodiscard]] Result<NodeResult> run_node_stage(const ActionPtr& action, ActionStage stage, const Step& step,
                                                  const std::string& name, StepRecord& record,
                                                  expr::MapContext& ctx, EnvList step_env);
  [[nodiscard]] Result<NodeResult> run_docker_stage(const ActionPtr& action, ActionStage stage, const Step& step,
                                                    const std::string& name, StepRecord& record,
                                                    expr::MapContext& ctx, const EnvList& step_env,
                                                    const ActionInputs& inputs);
  [[nodiscard]] Result<NodeResult> run_stage(const ActionPtr& action, ActionStage stage, const Step& step,
                                             const std::string& name, StepRecord& record, expr::MapContext& ctx,
                                             const EnvList& step_env, const ActionInputs& inputs);
  [[nodiscard]] EnvList action_env(const ActionPtr& action, const ActionInputs& inputs, EnvList step_env) const;
  [[nodiscard]] Result<NodeResult> run_checkout(const Step& step, const std::string& name, expr::MapContext& ctx);
  void run_pre_steps();
  void run_post_steps();
  void run_stage_step(const Step& step, const ActionPtr& action, ActionStage stage, const std::string& name,
                      const EnvList& env, const ActionInputs& inputs);
  [[nodiscard]] Result<FileCommandPaths> create_file_commands();
  void read_file_commands(const FileCommandPaths& files, const std::string& step_name, StepRecord& record,
                          bool& failed);
  [[nodiscard]] EnvList process_env(const EnvList& step_env, const FileCommandPaths& files,
                                    const std::string& action_id) const;
  [[nodiscard]] std::chrono::milliseconds step_timeout(const Step& step, expr::MapContext& ctx, double& minutes) const;
  [[nodiscard]] bool continue_on_error(const std::optional<Node>& node, expr::MapContext& ctx) const;
  void finish_step(const std::string& name, NodeResult result, Clock::time_point started);
  // Reporting.
  void notice(std::string text, const std::string& step = {});
  void fail(const std::string& step, const std::string& message);
  void evaluate_outputs(JobOutcome& outcome);

  RunState& m_run;
  const JobInstance& m_instance;
  const workflow::Job& m_job;
  CancelToken& m_cancel;
  std::string m_name;
  Placement m_placement;
  std::optional<JobEnv> m_env;
  nlohmann::json m_github;
  expr::Value m_github_value;
  EnvList m_job_env;           // workflow env + job env + GITHUB_ENV additions
  std::vector<std::string> m_path_additions;  // GITHUB_PATH, in the order added
  Scope m_root;
  Scope* m_scope = &m_root;
  std::map<std::string, ActionPtr> m_actions;           // by uses: text; keeps manifests alive
  std::map<const Step*, EnvList> m_action_state;        // GITHUB_STATE of each action step
  EnvList* m_state_sink = nullptr;                      // where the running stage's state goes
  bool m_isolated_env = false;                          // a Docker action: no host environment
  std::vector<PostStep> m_post_steps;
  bool m_failed = false;
  Clock::time_point m_deadline;
  double m_job_timeout_minutes = k_default_job_timeout_minutes;
};

void JobExecution::notice(std::string text, const std::string& step) {
  Event event;
  event.kind = EventKind::notice;
  event.job = m_name;
  event.step = step;
  event.text = m_run.masker->mask(text);
  m_run.reporter->post(std::move(event));
}

void JobExecution::fail(const std::string& step, const std::string& message) {
  Annotation a;
  a.level = AnnotationLevel::error;
  a.message = message;
  post_annotation(*m_run.reporter, *m_run.masker, m_name, step, std::move(a));
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
  job.set("status", result_word(m_cancel.cancelled() ? NodeResult::cancelled
                                : m_failed         ? NodeResult::failure
                                                   : NodeResult::success));
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
  ctx.set_hash_files([root](const std::vector<std::string>& patterns) { return expr::hash_files(root, patterns); });
  return ctx;
}

Result<void> JobExecution::evaluate_job_env() {
  m_job_env = m_run.env_file;
  auto ctx = contexts(m_job_env);
  if (auto r = evaluate_env(m_instance.workflow->env, ctx, m_job_env); !r) {
    return r;
  }
  ctx = contexts(m_job_env);
  return evaluate_env(m_job.env, ctx, m_job_env);
}

Result<JobSpec> JobExecution::job_spec() {
  auto ctx = contexts(m_job_env);
  std::vector<std::string> labels;
  if (m_job.runs_on) {
    auto runs_on = evaluate_node(*m_job.runs_on, ctx);
    if (!runs_on) {
      return runs_on.error();
    }
    labels = runs_on_labels(*runs_on);
  }
  JobSpec spec;
  spec.run_id = m_run.run_id;
  spec.display_name = m_name;
  spec.workspace = m_run.workspace;
  spec.copy_workspace = m_run.options->workspace == WorkspaceMode::copy;
  std::string container_image;
  if (m_job.container) {
    const auto& c = *m_job.container;
    auto image = evaluate_string(c.image.is_null() ? c.raw : c.image, ctx);
    if (!image) {
      return image.error();
    }
    container_image = *image;
    EnvList container_env;
    if (auto r = evaluate_env(c.env, ctx, container_env); !r) {
      return r.error();
    }
    spec.env = container_env;
    for (const auto& port : c.ports) {
      spec.ports.push_back(port.value);
    }
    for (const auto& volume : c.volumes) {
      auto pieces = volume.value;
      const auto colon = pieces.find(':');
      if (colon != std::string::npos) {
        spec.mounts.push_back({pieces.substr(0, colon), pieces.substr(colon + 1), false});
      }
    }
    if (c.options) {
      spec.options = c.options->value;
    }
    spec.use_host_network = false;
  }
  for (const auto& [key, service] : m_job.services) {
    ServiceSpec s;
    s.key = key;
    auto image = evaluate_string(service.image.is_null() ? service.raw : service.image, ctx);
    if (!image) {
      return image.error();
    }
    s.image = *image;
    EnvList service_env;
    if (auto r = evaluate_env(service.env, ctx, service_env); !r) {
      return r.error();
    }
    s.env = service_env;
    for (const auto& port : service.ports) {
      s.ports.push_back(port.value);
    }
    for (const auto& volume : service.volumes) {
      s.volumes.push_back(volume.value);
    }
    if (service.options) {
      s.options = service.options->value;
    }
    spec.services.push_back(std::move(s));
  }
  auto placement = m_run.place(labels, container_image);
  if (!placement) {
    return placement.error();
  }
  m_placement = *placement;
  spec.image = m_placement.image;
  if (!spec.image.empty()) {
    add_action_mounts(spec);
    // Power-user flags reach every job container, after the workflow's own options.
    const RunOptions& options = *m_run.options;
    if (options.privileged) {
      spec.options += " --privileged";
    }
    for (const auto& cap : options.cap_add) {
      spec.options += " --cap-add " + cap;
    }
    if (!options.container_options.empty()) {
      spec.options += " " + options.container_options;
    }
  }
  return spec;
}

void JobExecution::write_event_file() {
  const std::string path = m_env->temp_dir + "/_github_workflow/event.json";
  auto written = m_placement.backend->write_file(*m_env, path, m_github["event"].dump(2));
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
  return {};
}

Result<FileCommandPaths> JobExecution::create_file_commands() {
  const std::string dir = m_env->temp_dir + "/_runner_file_commands/";
  const std::string suffix = random_script_name();
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

std::chrono::milliseconds JobExecution::step_timeout(const Step& step, expr::MapContext& ctx, double& minutes) const {
  minutes = 0;
  if (step.timeout_minutes) {
    if (auto value = evaluate_node(*step.timeout_minutes, ctx); value) {
      const double m = value->to_number();
      if (std::isfinite(m) && m > 0) {
        minutes = m;
      }
    }
  }
  auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(m_deadline - Clock::now());
  if (remaining.count() < 1) {
    remaining = std::chrono::milliseconds(1);
  }
  if (minutes > 0) {
    const auto own = std::chrono::milliseconds(static_cast<long long>(minutes * 60000.0));
    return std::min(own, remaining);
  }
  return remaining;
}

bool JobExecution::continue_on_error(const std::optional<Node>& node, expr::MapContext& ctx) const {
  if (!node) {
    return false;
  }
  auto value = evaluate_node(*node, ctx);
  return value && value->is_truthy() && value->to_display_string() != "false";
}

std::string JobExecution::step_name(const Step& step, expr::MapContext& ctx) const {
  if (step.name) {
    auto name = evaluate_text(step.name->value, ctx);
    return name ? *name : step.name->value;
  }
  if (step.run) {
    return "Run " + first_line(step.run->value);
  }
  if (step.uses) {
    return "Run " + step.uses->value;
  }
  return "Step " + std::to_string(step.index + 1);
}

Result<bool> JobExecution::should_run(const Step& step, expr::MapContext& ctx) const {
  const std::string condition = step.if_condition ? step.if_condition->value : "";
  auto result = expr::evaluate_condition(condition, ctx);
  if (!result) {
    return Error{where_prefix(step.if_condition ? step.if_condition->where : step.where) + result.error().message};
  }
  return *result;
}

void JobExecution::read_file_commands(const FileCommandPaths& files, const std::string& name, StepRecord& record,
                                      bool& failed) {
  auto& backend = *m_placement.backend;
  auto report = [&](const std::string& message) {
    fail(name, message);
    failed = true;
  };
  if (auto text = backend.read_file(*m_env, files.output); text) {
    if (auto pairs = output::parse_key_value_file(*text); pairs) {
      for (auto& [k, v] : *pairs) {
        set_env(record.outputs, k, std::move(v));
      }
    } else {
      report(pairs.error().message);
    }
  }
  if (auto text = backend.read_file(*m_env, files.env); text) {
    if (auto pairs = output::parse_key_value_file(*text); pairs) {
      for (const auto& refusal : output::refuse_blocked_env(*pairs)) {
        report(refusal);
      }
      for (auto& [k, v] : *pairs) {
        set_env(m_job_env, k, std::move(v));
      }
    } else {
      report(pairs.error().message);
    }
  }
  if (auto text = backend.read_file(*m_env, files.state); text && m_state_sink) {
    if (auto pairs = output::parse_key_value_file(*text); pairs) {
      for (auto& [k, v] : *pairs) {
        set_env(*m_state_sink, k, std::move(v));
      }
    } else {
      report(pairs.error().message);
    }
  }
  if (auto text = backend.read_file(*m_env, files.path); text) {
    for (auto& dir : output::parse_path_file(*text)) {
      m_path_additions.push_back(std::move(dir));
    }
  }
  if (auto text = backend.read_file(*m_env, files.summary); text && !text->empty()) {
    auto summary = output::check_step_summary(std::move(*text));
    if (!summary.error.empty()) {
      notice(summary.error, name);
    }
    if (!summary.markdown.empty()) {
      Event event;
      event.kind = EventKind::step_summary;
      event.job = m_name;
      event.step = name;
      event.text = m_run.masker->mask(summary.markdown);
      m_run.reporter->post(std::move(event));
    }
  }
}

Result<NodeResult> JobExecution::run_script_step(const Step& step, const std::string& name, std::size_t index,
                                                  expr::MapContext& ctx, EnvList& step_env) {
  auto script = evaluate_text(step.run->value, ctx);
  if (!script) {
    return Error{where_prefix(step.run->where) + script.error().message};
  }
  std::string shell;
  if (step.shell) {
    shell = step.shell->value;
  } else if (m_scope->composite) {
    // Job and workflow defaults do not reach into a composite action.
  } else if (m_job.defaults.shell) {
    shell = m_job.defaults.shell->value;
  } else if (m_instance.workflow->defaults.shell) {
    shell = m_instance.workflow->defaults.shell->value;
  }
  std::string directory;
  if (step.working_directory) {
    directory = step.working_directory->value;
  } else if (m_scope->composite) {
  } else if (m_job.defaults.working_directory) {
    directory = m_job.defaults.working_directory->value;
  } else if (m_instance.workflow->defaults.working_directory) {
    directory = m_instance.workflow->defaults.working_directory->value;
  }
  auto wd = evaluate_text(directory, ctx);
  if (!wd) {
    return wd.error();
  }
  std::string cwd = m_env->workspace;
  if (!wd->empty()) {
    cwd = (*wd)[0] == '/' ? *wd : m_env->workspace + "/" + *wd;
  }
  const std::string action_id = step.id ? step.id->value : (index == 0 ? "__run" : "__run_" + std::to_string(index + 1));
  ScriptStep script_step;
  script_step.shell = shell;
  script_step.script = *script;
  script_step.cwd = cwd;
  return execute_script(step, name, m_scope->steps[index], ctx, step_env, script_step, action_id);
}

Result<NodeResult> JobExecution::execute_script(const Step& step, const std::string& name, StepRecord& record,
                                                expr::MapContext& ctx, const EnvList& step_env,
                                                const ScriptStep& script, const std::string& action_id) {
  return execute_step(step, name, record, ctx, step_env, action_id, [&](const ScriptStep& prepared, OutputSink& sink) {
    ScriptStep script_step = prepared;
    script_step.shell = script.shell;
    script_step.script = script.script;
    script_step.cwd = script.cwd;
    JobEnv exec_env = *m_env;
    exec_env.in_container = m_placement.job_container;  // a VM-like job keeps GitHub's VM shell default
    return run_script(*m_placement.backend, exec_env, script_step, sink);
  });
}

Result<NodeResult> JobExecution::execute_step(const Step& step, const std::string& name, StepRecord& record,
                                              expr::MapContext& ctx, const EnvList& step_env,
                                              const std::string& action_id, const StepProcess& process) {
  auto files = create_file_commands();
  if (!files) {
    return files.error();
  }
  double minutes = 0;
  ScriptStep script_step;
  script_step.env = process_env(step_env, *files, action_id);
  script_step.timeout = step_timeout(step, ctx, minutes);
  // A step that starts after cancellation (always()) must not be killed by the same token.
  script_step.cancel = m_cancel.cancelled() ? m_run.hard_cancel : &m_cancel;

  output::CommandSettings settings;
  const std::string* unsecure = find_env(script_step.env, "ACTIONS_ALLOW_UNSECURE_COMMANDS");
  settings.allow_unsecure_commands = unsecure && *unsecure == "true";
  const std::string* debug = find_env(script_step.env, "ACTIONS_STEP_DEBUG");
  const bool show_debug = m_run.options->verbose || (debug && *debug == "true");
  settings.echo = show_debug;
  StepOutput sink(*m_run.reporter, *m_run.masker, m_name, name, settings,
                  show_debug ? DebugLines::show : DebugLines::hide);

  auto status = process(script_step, sink);
  sink.finish();
  if (!status) {
    return status.error();
  }
  for (const auto& [k, v] : sink.commands().outputs) {
    set_env(record.outputs, k, v);
  }
  for (const auto& [k, v] : sink.commands().env) {
    set_env(m_job_env, k, v);
  }
  for (const auto& p : sink.commands().paths) {
    m_path_additions.push_back(p);
  }
  bool failed = sink.commands().failed;
  read_file_commands(*files, name, record, failed);
  if (status->timed_out) {
    if (minutes > 0 && Clock::now() < m_deadline) {
      fail(name, "The action '" + name + "' has timed out after " + expr::format_number(minutes) + " minutes.");
    } else {
      fail(name, "The job running on runner pipe has exceeded the maximum execution time of " +
                     expr::format_number(m_job_timeout_minutes) + " minutes.");
      m_cancel.cancel();
    }
    return NodeResult::failure;
  }
  if (status->cancelled) {
    fail(name, "The operation was canceled.");
    return NodeResult::cancelled;
  }
  if (status->code != 0) {
    fail(name, process_exit_message(status->code));
    return NodeResult::failure;
  }
  return failed ? NodeResult::failure : NodeResult::success;
}

void JobExecution::finish_step(const std::string& name, NodeResult result, Clock::time_point started) {
  Event event;
  event.kind = EventKind::step_finished;
  event.job = m_name;
  event.step = name;
  event.result = result;
  event.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  m_run.reporter->post(std::move(event));
}

void JobExecution::run_step(const Step& step, std::size_t index) {
  const auto started = Clock::now();
  StepRecord& record = m_scope->steps[index];
  record.id = step.id ? step.id->value : "";
  auto ctx = contexts(scope_env());
  const bool inner = m_scope->composite;
  const std::string name = inner ? m_scope->display : step_name(step, ctx);
  if (m_run.hard_cancel->cancelled()) {
    record.outcome = record.conclusion = "cancelled";
    return;
  }
  auto run_it = should_run(step, ctx);
  if (!run_it || !*run_it) {
    if (!run_it) {
      fail(name, run_it.error().message);
      m_failed = true;
    } else if (m_run.options->explain) {
      notice("skipped: if: " + (step.if_condition ? step.if_condition->value : std::string("success()")) +
                 " was false (job status: " + result_word(m_cancel.cancelled() ? NodeResult::cancelled
                                                           : m_failed         ? NodeResult::failure
                                                                              : NodeResult::success) + ")",
             name);
    }
    record.outcome = record.conclusion = "skipped";
    if (!inner) {
      finish_step(name, NodeResult::skipped, started);
    }
    return;
  }
  if (!inner) {
    Event begin;
    begin.kind = EventKind::step_started;
    begin.job = m_name;
    begin.step = name;
    m_run.reporter->post(std::move(begin));
  }

  NodeResult result = NodeResult::success;
  EnvList step_env = m_scope->env;
  if (inner) {
    set_env(step_env, "GITHUB_ACTION_PATH", m_scope->action->dir);
    set_env(step_env, "GITHUB_ACTION_REPOSITORY", m_scope->action->repository);
    set_env(step_env, "GITHUB_ACTION_REF", m_scope->action->ref);
  }
  if (auto r = evaluate_env(step.env, ctx, step_env); !r) {
    fail(name, r.error().message);
    result = NodeResult::failure;
  } else if (step.run) {
    auto ran = run_script_step(step, name, index, ctx, step_env);
    if (!ran) {
      fail(name, ran.error().message);
      result = NodeResult::failure;
    } else {
      result = *ran;
    }
  } else if (step.uses) {
    auto ran = run_action_step(step, name, index, ctx, step_env);
    if (!ran) {
      fail(name, ran.error().message);
      result = NodeResult::failure;
    } else {
      result = *ran;
    }
  }
  record.outcome = result_word(result);
  const bool tolerated = result == NodeResult::failure && continue_on_error(step.continue_on_error, ctx);
  record.conclusion = tolerated ? "success" : record.outcome;
  if (result == NodeResult::failure && !tolerated) {
    m_failed = true;
  }
  if (!inner) {
    finish_step(name, result, started);
  }
}

EnvList JobExecution::scope_env() const {
  if (m_scope->env.empty()) {
    return m_job_env;
  }
  EnvList env = m_job_env;
  for (const auto& [name, value] : m_scope->env) {
    set_env(env, name, value);
  }
  return env;
}

Result<ActionPtr> JobExecution::resolve_action(const Step& step) {
  const std::string& uses = step.uses->value;
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

Result<NodeResult> JobExecution::run_action_step(const Step& step, const std::string& name, std::size_t index,
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
    Annotation a;
    a.level = AnnotationLevel::warning;
    a.message = warning;
    post_annotation(*m_run.reporter, *m_run.masker, m_name, name, std::move(a));
  }
  StepRecord& record = m_scope->steps[index];
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
  const bool uses_actions = std::any_of(m_job.steps.begin(), m_job.steps.end(), [](const Step& step) {
    return step.uses && !is_checkout(step.uses->value) && step.uses->value.rfind("docker://", 0) != 0;
  });
  if (!uses_actions) {
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

Result<NodeResult> JobExecution::run_checkout(const Step& step, const std::string& name, expr::MapContext& ctx) {
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
    return NodeResult::success;
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
  return NodeResult::success;
}

Result<NodeResult> JobExecution::run_composite(const ActionPtr& action, const ActionInputs& inputs,
                                               const std::string& name, StepRecord& record,
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
  return failed ? NodeResult::failure : NodeResult::success;
}

Result<NodeResult> JobExecution::run_node_stage(const ActionPtr& action, ActionStage stage, const Step& step,
                                                const std::string& name, StepRecord& record,
                                                expr::MapContext& ctx, EnvList step_env) {
  const std::string entry = node_entry(*action->manifest, stage);
  for (const auto& [key, value] : m_action_state[&step]) {
    set_env(step_env, "STATE_" + key, value);
  }
  ScriptStep script;
  script.shell = "sh";
  const std::string file = shell_quote(action->dir + "/" + entry);
  // In a container the image's own node is preferred; the host's is mounted for images without one.
  script.script = m_env->in_container ? "if command -v node >/dev/null 2>&1; then exec node " + file +
                                            "; fi\nexec " + k_container_node + " " + file + "\n"
                                      : "exec node " + file + "\n";
  script.cwd = m_env->workspace;
  const std::string action_id = step.id ? step.id->value : "__" + action->repository;
  EnvList state;
  m_state_sink = &state;
  auto result = execute_script(step, name, record, ctx, step_env, script, action_id);
  m_state_sink = nullptr;
  for (auto& [key, value] : state) {
    set_env(m_action_state[&step], key, std::move(value));
  }
  return result;
}

Result<NodeResult> JobExecution::run_stage(const ActionPtr& action, ActionStage stage, const Step& step,
                                           const std::string& name, StepRecord& record, expr::MapContext& ctx,
                                           const EnvList& step_env, const ActionInputs& inputs) {
  if (is_container_action(*action)) {
    return run_docker_stage(action, stage, step, name, record, ctx, step_env, inputs);
  }
  return run_node_stage(action, stage, step, name, record, ctx, step_env);
}

Result<NodeResult> JobExecution::run_docker_stage(const ActionPtr& action, ActionStage stage, const Step& step,
                                                  const std::string& name, StepRecord& record,
                                                  expr::MapContext& ctx, const EnvList& step_env,
                                                  const ActionInputs& inputs) {
  docker::DockerBackend* engine = m_run.docker ? m_run.docker() : nullptr;
  if (!engine) {
    return Error{"Docker container actions need a container engine, and none answers"};
  }
  auto image = prepare_action_image(*engine, *action, {});
  if (!image) {
    return image.error();
  }
  docker::ContainerRun run;
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
  auto result = execute_step(step, name, record, ctx, env, action_id, [&](const ScriptStep& prepared, OutputSink& sink) {
    docker::ContainerRun ready = run;
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
  auto run_it = expr::evaluate_condition(stage_condition(*action->manifest, stage), ctx);
  if (!run_it || !*run_it) {
    if (!run_it) {
      fail(name, run_it.error().message);
    }
    finish_step(name, NodeResult::skipped, started);
    return;
  }
  Event begin;
  begin.kind = EventKind::step_started;
  begin.job = m_name;
  begin.step = name;
  m_run.reporter->post(std::move(begin));
  StepRecord record;
  auto ran = run_stage(action, stage, step, name, record, ctx, env, inputs);
  NodeResult result = ran ? *ran : NodeResult::failure;
  if (!ran) {
    fail(name, ran.error().message);
  }
  if (result == NodeResult::failure) {
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
  JobOutcome outcome;
  const auto started = Clock::now();
  Event begin;
  begin.kind = EventKind::job_started;
  begin.job = m_name;
  m_run.reporter->post(std::move(begin));

  auto ctx = contexts(m_job_env);
  if (m_job.timeout_minutes) {
    if (auto v = evaluate_node(*m_job.timeout_minutes, ctx); v && v->to_number() > 0) {
      m_job_timeout_minutes = v->to_number();
    }
  }
  m_deadline = started + std::chrono::milliseconds(static_cast<long long>(m_job_timeout_minutes * 60000.0));
  auto env_ok = evaluate_job_env();
  auto prepared = env_ok ? prepare() : env_ok;
  if (!prepared) {
    fail("", prepared.error().message);
    outcome.result = NodeResult::failure;
  } else {
    m_root.steps.resize(m_job.steps.size());
    run_pre_steps();
    for (std::size_t i = 0; i < m_job.steps.size(); ++i) {
      run_step(m_job.steps[i], i);
    }
    run_post_steps();
    evaluate_outputs(outcome);
    outcome.result = m_cancel.cancelled() ? NodeResult::cancelled
                     : m_failed           ? NodeResult::failure
                                          : NodeResult::success;
    m_placement.backend->teardown(*m_env);
  }
  if (outcome.result == NodeResult::failure && continue_on_error(m_job.continue_on_error, ctx)) {
    notice("the job failed, but continue-on-error is set");
    outcome.result = NodeResult::success;
  }
  Event end;
  end.kind = EventKind::job_finished;
  end.job = m_name;
  end.result = outcome.result;
  end.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  m_run.reporter->post(std::move(end));
  return outcome;
}

}  // namespace

JobOutcome run_job(RunState& run, const JobInstance& instance, CancelToken& cancel) {
  JobExecution execution(run, instance, cancel);
  return execution.run();
}

}  // namespace pipeline::runner::engine
