#include "runner/job/run.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unistd.h>

#include "runner/backend/host_backend.hpp"
#include "actions/resolver.hpp"
#include "runner/docker/docker_backend.hpp"
#include "runner/job/act_habits.hpp"
#include "runner/job/action_step.hpp"
#include "runner/job/broken_workflows.hpp"
#include "runner/job/call_plan.hpp"
#include "runner/job/environments.hpp"
#include "runner/job/token_hint.hpp"
#include "runner/job/vault_secrets.hpp"
#include "runner/job/reusable.hpp"
#include "runner/job/step_reporter.hpp"
#include "runner/engine/ci_output.hpp"
#include "runner/job/job_runner.hpp"
#include "runner/job/job_services.hpp"
#include "runner/engine/output_guard.hpp"
#include "runner/engine/platforms.hpp"
#include "runner/engine/render.hpp"
#include "runner/engine/report_junit.hpp"
#include "runner/engine/reporter.hpp"
#include "runner/engine/resources.hpp"
#include "runner/job/placement.hpp"
#include "runner/job/run_inputs.hpp"
#include "runner/job/run_report.hpp"
#include "runner/job/run_select.hpp"
#include "runner/engine/run_record.hpp"
#include "runner/engine/scheduler.hpp"
#include "workflow/base/exit_code.hpp"
#include "workflow/expr/explain.hpp"
#include "workflow/expr/template.hpp"
#include "workflow/loader.hpp"
#include "workflow/plan/call_tree.hpp"
#include "workflow/plan/job_graph.hpp"
#include "workflow/plan/matrix.hpp"
#include "workflow/plan/triggers.hpp"

namespace pipeline::runner::engine {

namespace expr = workflow::expr;
namespace fs = std::filesystem;
using workflow::Job;
using workflow::Workflow;

namespace {


/// A job of the plan: which workflow it belongs to and its node's key.
struct PlannedJob {
  const SelectedWorkflow* selected = nullptr;
  const Job* job = nullptr;
  std::string key;
};

/// Everything a run's node callbacks share.
struct Plan {
  std::vector<SelectedWorkflow> workflows;
  std::vector<PlannedJob> jobs;                 // by scheduler index for parent nodes
  std::map<std::string, std::size_t> job_index;  // key -> jobs index
  std::mutex mutex;
  std::map<std::string, JobInstance> instances;  // child node id -> instance
  std::map<std::string, EnvList> outputs;        // job key -> outputs
};

void print_error(const std::string& message) {
  std::cerr << "pipe: error: " << message << '\n';
}

// The parser already records whether an expression calls success(), failure(), cancelled() or
// always(); a text search would also match those names inside string literals.
bool mentions_status_function(std::string_view condition) {
  const auto source = expr::condition_source(condition);
  if (source.is_template || source.expression.empty()) {
    return false;
  }
  auto ast = expr::parse_cached(source.expression);
  return ast && ast->calls_status_function;
}

/// Scheduler resources for the fixed host ports a job's services and container publish, so two
/// jobs publishing the same port never run at once.
std::vector<std::string> port_resources(const Job& job) {
  std::vector<std::string> ports;
  for (const auto& [key, service] : job.services) {
    for (const auto& port : service.ports) {
      ports.push_back(port.value);
    }
  }
  if (job.container) {
    for (const auto& port : job.container->ports) {
      ports.push_back(port.value);
    }
  }
  return host_port_resources(ports);
}

Result<void> add_nodes(Plan& plan, Scheduler& scheduler);

class RunExecution {
public:
  RunExecution(const RunOptions& options, RunState& state, Plan& plan, Scheduler& scheduler)
      : m_options(options), m_state(state), m_plan(plan), m_scheduler(scheduler) {}

  /// Makes this the run of a called workflow: job names start with the caller's.
  void nest(std::string caller_name, int depth) {
    m_name_prefix = std::move(caller_name) + " / ";
    m_depth = depth;
  }

  NodeOutcome run_node(const NodeContext& node) {
    std::optional<JobInstance> instance;
    {
      std::lock_guard lock(m_plan.mutex);
      if (auto it = m_plan.instances.find(node.id); it != m_plan.instances.end()) {
        instance = it->second;
      }
    }
    if (!instance) {
      return run_planned(m_plan.jobs.at(m_plan.job_index.at(node.id)), node);
    }
    auto outcome = instance->job->uses ? run_called(*instance, node) : run_job(m_state, *instance, node.cancel);
    if (m_options.on_job_outputs) {
      m_options.on_job_outputs(instance->job->id.value, outcome.outputs);
    }
    std::lock_guard lock(m_plan.mutex);
    // Matrix jobs share one set of outputs; as on GitHub, the last one to finish wins.
    auto& outputs = m_plan.outputs[node.id.substr(0, node.id.rfind('#'))];
    for (auto& [k, v] : outcome.outputs) {
      set_env(outputs, k, std::move(v));
    }
    return {outcome.result, {}};
  }

private:
  /// A job with `uses:`: the called workflow's jobs run in a nested scheduler inside this node.
  JobOutcome run_called(const JobInstance& caller, const NodeContext& node) {
    JobOutcome outcome;
    outcome.result = NodeResult::failure;
    auto called = m_depth >= k_max_workflow_depth
                      ? Result<CalledWorkflow>(Error{"reusable workflows may nest at most " +
                                                     std::to_string(k_max_workflow_depth) + " levels"})
                      : load_called_workflow(m_state, caller);
    auto graph = called ? workflow::plan::JobGraph::build(*called->workflow)
                        : Result<workflow::plan::JobGraph>(called.error());
    if (!graph) {
      fail_call(caller.display_name, graph.error().message);
      return outcome;
    }
    RunState state = m_state;
    // Each call gets its own run directory, so one call's last teardown never races another's jobs.
    static std::atomic<int> calls{0};
    state.run_id = m_state.run_id + "-call" + std::to_string(++calls);
    state.inputs = called->inputs;
    state.secrets = called->secrets;
    Plan plan;
    plan.workflows.push_back({called->workflow.get(), m_plan.workflows.front().event,
                              m_plan.workflows.front().payload, called->inputs, std::move(*graph)});
    Scheduler scheduler(m_options.parallel ? m_options.parallel : std::max(1u, std::thread::hardware_concurrency()));
    if (auto added = add_nodes(plan, scheduler); !added) {
      fail_call(caller.display_name, added.error().message);
      return outcome;
    }
    RunExecution nested(m_options, state, plan, scheduler);
    nested.nest(caller.display_name, m_depth + 1);
    const auto reports = scheduler.run([&nested](const NodeContext& n) { return nested.run_node(n); }, &node.cancel);
    expr::Value jobs = expr::Value::object();
    outcome.result = NodeResult::success;
    for (const auto& report : reports) {
      if (report.parent) {
        continue;
      }
      const PlannedJob& planned = plan.jobs.at(plan.job_index.at(report.id));
      expr::Value entry = expr::Value::object();
      entry.set("result", std::string(to_string(report.result)));
      entry.set("outputs", string_map(plan.outputs[report.id]));
      jobs.set(planned.job->id.value, entry);
      if (report.result == NodeResult::failure || report.result == NodeResult::cancelled) {
        outcome.result = report.result;
      }
    }
    outcome.outputs = called_workflow_outputs(*called->workflow, jobs, *called, state);
    return outcome;
  }

  /// A call that could not start shows as a failed job with the reason.
  void fail_call(const std::string& name, const std::string& message) {
    Annotation a;
    a.level = AnnotationLevel::error;
    a.message = message;
    post_annotation(*m_state.reporter, name, "", std::move(a));
    Event event;
    event.kind = EventKind::job_finished;
    event.job = name;
    event.result = NodeResult::failure;
    m_state.reporter->post(std::move(event));
  }

  expr::Value needs_context(const PlannedJob& planned, const NodeContext& node) {
    expr::Value needs = expr::Value::object();
    std::lock_guard lock(m_plan.mutex);
    for (const auto& dep : node.dependencies) {
      const PlannedJob& need = m_plan.jobs.at(m_plan.job_index.at(dep.id));
      if (need.selected != planned.selected) {
        continue;
      }
      expr::Value entry = expr::Value::object();
      entry.set("result", std::string(to_string(dep.result)));
      entry.set("outputs", string_map(m_plan.outputs[dep.id]));
      needs.set(need.job->id.value, entry);
    }
    for (const auto& [id, given] : m_options.given_needs) {
      expr::Value entry = expr::Value::object();
      entry.set("result", given.result);
      entry.set("outputs", string_map(given.outputs));
      needs.set(id, entry);
    }
    return needs;
  }

  expr::MapContext job_level_context(const PlannedJob& planned, const expr::Value& needs) {
    expr::MapContext ctx;
    nlohmann::json github = m_state.github;
    github["event_name"] = planned.selected->event;
    github["event"] = planned.selected->payload;
    github["job"] = planned.job->id.value;
    ctx.set("github", expr::Value::from_json(github));
    ctx.set("needs", needs);
    ctx.set("inputs", planned.selected->inputs);
    ctx.set("vars", m_state.vars);
    ctx.set("secrets", m_state.secrets);
    return ctx;
  }

  void skip(const std::string& plain_name, const std::string& why) {
    const std::string name = m_name_prefix + plain_name;
    Event event;
    event.kind = EventKind::job_finished;
    event.job = name;
    event.result = NodeResult::skipped;
    m_state.reporter->post(std::move(event));
    if (m_options.explain) {
      post_notice(*m_state.reporter, "skipped: " + why, name);
    }
  }

  NodeOutcome run_planned(const PlannedJob& planned, const NodeContext& node) {
    const Job& job = *planned.job;
    const expr::Value needs = needs_context(planned, node);
    auto ctx = job_level_context(planned, needs);
    bool any_failed = false;
    bool any_skipped = false;
    for (const auto& dep : node.dependencies) {
      any_failed = any_failed || dep.result == NodeResult::failure || dep.result == NodeResult::cancelled;
      any_skipped = any_skipped || dep.result == NodeResult::skipped;
    }
    for (const auto& [id, given] : m_options.given_needs) {
      any_failed = any_failed || given.result == "failure" || given.result == "cancelled";
    }
    ctx.set_status(node.cancel.cancelled() ? expr::Status::cancelled
                   : any_failed           ? expr::Status::failure
                                          : expr::Status::success);
    const std::string condition = job.if_condition ? job.if_condition->value : "";
    const std::string plain_name = job.name ? job.name->value : job.id.value;
    if (any_skipped && !mentions_status_function(condition)) {
      skip(plain_name, "a job it needs was skipped");
      return {NodeResult::skipped, {}};
    }
    auto run_it = expr::evaluate_condition(condition, ctx);
    if (!run_it) {
      post_notice(*m_state.reporter, "if: " + run_it.error().message, plain_name);
      return {NodeResult::failure, {}};
    }
    if (!*run_it) {
      const std::string operands = m_options.explain ? expr::format_operands(expr::explain_operands(condition, ctx)) : "";
      skip(plain_name, "if: " + (condition.empty() ? std::string("success()") : condition) + " was false" +
                           (any_failed ? " (a job it needs failed)" : "") +
                           (operands.empty() ? "" : " with " + operands));
      return {NodeResult::skipped, {}};
    }
    return expand(planned, ctx, needs);
  }

  NodeOutcome expand(const PlannedJob& planned, expr::MapContext& ctx, const expr::Value& needs) {
    const Job& job = *planned.job;
    std::vector<workflow::plan::MatrixCombination> combinations{nlohmann::ordered_json::object()};
    bool fail_fast = true;
    std::size_t max_parallel = 0;
    if (job.strategy) {
      auto matrix = evaluate_node(job.strategy->matrix, ctx);
      if (!matrix) {
        post_notice(*m_state.reporter, "strategy.matrix: " + matrix.error().message, job.id.value);
        return {NodeResult::failure, {}};
      }
      auto expanded = workflow::plan::expand_matrix(matrix->to_json());
      if (!expanded) {
        post_notice(*m_state.reporter, "strategy.matrix: " + expanded.error().message, job.id.value);
        return {NodeResult::failure, {}};
      }
      combinations = std::move(*expanded);
      std::vector<workflow::plan::MatrixFilter> filters;
      for (const auto& text : m_options.matrix_filters) {
        if (auto f = workflow::plan::parse_matrix_filter(text); f) {
          filters.push_back(*f);
        }
      }
      combinations = workflow::plan::filter_combinations(combinations, filters);
      if (job.strategy->fail_fast) {
        auto v = evaluate_node(*job.strategy->fail_fast, ctx);
        fail_fast = !v || v->is_truthy();
      }
      if (job.strategy->max_parallel) {
        auto v = evaluate_node(*job.strategy->max_parallel, ctx);
        if (v && v->to_number() >= 1) {
          max_parallel = static_cast<std::size_t>(v->to_number());
        }
      }
    }
    if (combinations.empty()) {
      return {NodeResult::skipped, {}};
    }
    m_scheduler.define_group(planned.key, {fail_fast ? FailFast::on : FailFast::off, max_parallel});
    NodeOutcome outcome;
    std::lock_guard lock(m_plan.mutex);
    for (std::size_t i = 0; i < combinations.size(); ++i) {
      JobInstance instance;
      instance.workflow = planned.selected->workflow;
      instance.job = &job;
      instance.matrix = combinations[i];
      instance.needs = needs;
      expr::Value strategy = expr::Value::object();
      strategy.set("fail-fast", fail_fast);
      strategy.set("job-index", static_cast<double>(i));
      strategy.set("job-total", static_cast<double>(combinations.size()));
      strategy.set("max-parallel", static_cast<double>(max_parallel ? max_parallel : combinations.size()));
      instance.strategy = strategy;
      instance.display_name = display_name(planned, instance, ctx);
      const std::string id = planned.key + "#" + std::to_string(i);
      m_plan.instances[id] = std::move(instance);
      outcome.children.push_back({id, {}, planned.key, port_resources(job)});
    }
    return outcome;
  }

  std::string display_name(const PlannedJob& planned, const JobInstance& instance, expr::MapContext& ctx) {
    ctx.set("matrix", expr::Value::from_json(instance.matrix));
    ctx.set("strategy", instance.strategy);
    return m_name_prefix + job_display_name(*planned.job, instance.matrix, ctx);
  }

  const RunOptions& m_options;
  RunState& m_state;
  Plan& m_plan;
  Scheduler& m_scheduler;
  std::string m_name_prefix;  // "caller / " inside a called workflow
  int m_depth = 1;            // 1 for the workflows pipe was asked to run
};

/// Adds one node per job, in an order where every need comes first.
Result<void> add_nodes(Plan& plan, Scheduler& scheduler) {
  const bool many = plan.workflows.size() > 1;
  for (const auto& selected : plan.workflows) {
    for (const auto& id : selected.graph.topological_order()) {
      const Job* job = selected.workflow->find_job(id);
      const std::string prefix = many ? selected.workflow->path + ":" : "";
      NodeSpec spec;
      spec.id = prefix + id;
      for (const auto& need : selected.graph.find(id)->needs) {
        spec.needs.push_back(plan.job_index.at(prefix + need));
      }
      auto index = scheduler.add_node(spec);
      if (!index) {
        return index.error();
      }
      plan.job_index[spec.id] = plan.jobs.size();
      plan.jobs.push_back({&selected, job, spec.id});
    }
  }
  return {};
}

/// Resolves called workflows and actions; a dry run reads only the workspace and the cache.
actions::ResolverOptions plan_resolver_options(const RunOptions& options) {
  auto settings = resolver_options(options);
  if (options.dry_run) {
    settings.network = actions::Network::offline;
  }
  return settings;
}

/// Every selected workflow's jobs with the jobs they call, and the errors of all of them.
struct PlannedCalls {
  std::vector<std::vector<workflow::plan::PlanJob>> jobs;  // by plan.workflows index
  std::string errors;
};

PlannedCalls plan_all_calls(const Plan& plan, RunState& state) {
  PlannedCalls out;
  for (const auto& selected : plan.workflows) {
    PlanRoot root{selected.workflow, &selected.graph, selected.event, selected.payload, selected.inputs};
    auto planned = plan_calls(state, root);
    out.jobs.push_back(std::move(planned.jobs));
    out.errors += planned.errors;
  }
  return out;
}

/// The plan as text, through the masker like every other output of a run.
void print_plan(const Plan& plan, const std::vector<std::vector<workflow::plan::PlanJob>>& calls,
                const output::Masker& masker) {
  for (std::size_t i = 0; i < plan.workflows.size(); ++i) {
    const auto& selected = plan.workflows[i];
    std::cout << selected.workflow->display_name() << " (" << selected.workflow->path << ", on " << selected.event
              << ")\n";
    for (const auto& line : selected.graph.levels()) {
      std::cout << "  stage:";
      for (const auto& id : line) {
        std::cout << ' ' << id;
      }
      std::cout << '\n';
    }
    std::cout << masker.mask(workflow::plan::render_plan_text(calls[i]));
  }
}

}  // namespace

int run(const RunOptions& given, Interruption& interruption, const RunBackends& backends) {
  CancelToken& cancel = interruption.cancel();
  CancelToken& hard_cancel = interruption.hard();
  const auto started = std::chrono::steady_clock::now();
  const std::string dir = fs::absolute(given.directory).lexically_normal().string();
  // config: ~/.config/pipe/config.yml and .pipe.yml fill what no flag set.
  const auto configured = apply_config(given, dir);
  if (!configured) {
    print_error(configured.error().message);
    return k_exit_usage;
  }
  const RunOptions& options = *configured;
  auto engine = connect_engine_early(options);
  // load: every workflow, with every problem reported before anything runs. A file found in a
  // directory that does not load fails alone, as on GitHub; any other error stops the run.
  std::vector<fs::path> paths;
  for (const auto& w : options.workflows) {
    paths.push_back(fs::path(w).is_absolute() ? fs::path(w) : fs::path(dir) / w);
  }
  if (paths.empty()) {
    paths.push_back(fs::path(dir) / ".github" / "workflows");
  }
  const auto set = workflow::load_all(paths, dir);
  if (!set.diagnostics.empty()) {
    std::cerr << workflow::format_diagnostics(set);
  }
  const auto problems = sort_load_errors(set, paths, options.selection);
  if (problems.stop) {
    std::cerr << workflow::summary_line(set) << '\n';
    return k_exit_usage;
  }
  // context: the repository, secrets, variables.
  auto repo = git::read_repository(dir, remote_name(options));
  git::RepoInfo repo_info = repo ? *repo : git::RepoInfo{};
  apply_repository_flags(options, repo_info);
  if (repo_info.workspace.empty()) {
    repo_info.workspace = dir;
  }
  auto vars = collect_vars(options, dir);
  auto env_file = vars ? collect_env_files(options, dir) : Result<EnvList>(vars.error());
  if (!env_file) {
    print_error(env_file.error().message);
    return k_exit_usage;
  }
  // report: one thread owns the terminal; a run record keeps logs and results.
  const std::string run_id = make_run_id();
  auto record = options.dry_run ? Result<RunRecord>(Error{"a dry run keeps no record"})
                                : RunRecord::create((fs::path(dir) / ".pipe" / "runs").string(), run_id);
  output::Masker masker;
  auto terminal = terminal_sink(options, interruption);
  std::unique_ptr<JobLogSink> logs = record ? std::make_unique<JobLogSink>(record->dir()) : nullptr;
  SummaryCollector collector;
  std::vector<EventSink*> sinks{terminal.get(), &collector};
  sinks.insert(sinks.end(), options.event_sinks.begin(), options.event_sinks.end());
  if (logs) {
    sinks.push_back(logs.get());
  }
  TokenHint token_hint(options);  // a step failing for want of a GitHub token gets a hint at the end
  sinks.push_back(&token_hint);
  Reporter reporter(sinks, &masker);
  // select: the workflows this event starts, and why the others do not run; a broken file
  // cannot say which events start it, so it is reported as failed whatever the event.
  report_broken(reporter, problems.broken, options.workspace_override.empty() ? dir : options.workspace_override);
  Plan plan;
  auto selected = select_workflows(set, options, repo_info, dir, reporter);
  if (!selected) {
    reporter.stop();
    print_error(selected.error().message);
    return k_exit_usage;
  }
  plan.workflows = std::move(*selected);
  Scheduler scheduler(options.parallel ? options.parallel : std::max(1u, std::thread::hardware_concurrency()));
  if (auto added = add_nodes(plan, scheduler); !added) {
    reporter.stop();
    print_error(added.error().message);
    return k_exit_usage;
  }
  // secrets: read once the jobs are known, so Vault is asked only for names some job can read.
  // A dry run has no side effects: Vault is not asked (its lines are still checked), nor the terminal.
  const SecretReach reach = options.dry_run ? SecretReach::local_only : SecretReach::everywhere;
  const workflow::SecretRefs needs = secrets_needed(options, plan.workflows);
  auto secrets = collect_secrets(options, dir, reach, &needs);
  if (!secrets) {
    reporter.stop();
    print_error(secrets.error().message);
    if (record) {
      std::error_code ec;
      fs::remove_all(record->dir(), ec);  // nothing ran: there is nothing to keep
    }
    return k_exit_usage;
  }
  expr::Value secrets_value = expr::Value::object();
  std::string token;
  for (const auto& s : *secrets) {
    if (masker.add_secret(s.value) == output::AddResult::too_short) {
      post_notice(reporter, "warning: " + output::too_short_warning(s.name));
    }
    secrets_value.set(s.name, s.value);
    if (s.name == "GITHUB_TOKEN") {
      token = s.value;
    }
  }
  token_hint.set_token_given(!token.empty());
  RunState state;
  state.environments = std::make_shared<Environments>(options, dir, reach, needs, *secrets);
  state.options = &options;
  state.run_id = run_id;
  state.run_number_id = std::to_string(std::chrono::system_clock::now().time_since_epoch() / std::chrono::seconds(1));
  state.workspace = options.workspace_override.empty() ? dir : options.workspace_override;
  state.secrets = secrets_value;
  state.vars = string_map(*vars);
  state.env_file = *env_file;
  state.masker = &masker;
  state.reporter = &reporter;
  state.hard_cancel = &hard_cancel;
  actions::Resolver resolver(plan_resolver_options(options));
  state.resolver = &resolver;
  state.called_workflows = std::make_shared<CalledWorkflows>();
  if (!plan.workflows.empty()) {
    const auto& first = plan.workflows.front();
    state.github = github_context(repo_info, first.event, first.payload, state.run_number_id, *first.workflow, token);
    if (options.github_context) {
      state.github.update(*options.github_context);
    }
    state.inputs = first.inputs;
  }
  // plan: the workflows jobs call, followed now so a called workflow asking for more permissions
  // than its caller holds stops the run before anything starts.
  auto calls = plan_all_calls(plan, state);
  if (!calls.errors.empty()) {
    reporter.stop();
    std::cerr << calls.errors;
    if (record) {
      std::error_code ec;
      fs::remove_all(record->dir(), ec);  // nothing ran: there is nothing to keep
    }
    return k_exit_usage;
  }
  if (options.dry_run) {
    reporter.stop();
    print_plan(plan, calls.jobs, masker);  // a failed stream writes nothing more
    if (!(std::cout << std::flush)) {
      interruption.interrupt(closed_output_signal(STDOUT_FILENO));
    }
    return interruption.signal() != 0 ? interruption.exit_code()
           : problems.broken.empty()  ? k_exit_success
                                      : k_exit_job_failed;
  }
  if (plan.jobs.empty()) {
    post_notice(reporter, "nothing to run");
  }
  // schedule: each job starts as soon as its own needs have ended.
  Placer placer(options, reporter, "", std::move(engine), backends);
  placer.probe();
  state.container_actions = [&placer] { return placer.docker_for_actions(); };
  state.place = [&placer](const std::vector<std::string>& labels, const std::string& image) {
    return placer.place(labels, image);
  };
  if (record) {
    state.services = std::make_shared<JobServices>(
        run_id, artifacts_dir(options.artifact_dir, dir, record->dir(), run_id),
        [&placer, &options] {
          // Only container jobs need the gateway: a host-only run never connects to an engine for it.
          return options.backend == BackendChoice::host ? std::string() : container_gateway(placer.docker_for_actions());
        },
        options.cache_dir, cache_scope(repo_info.repository, repo_info.workspace, state.github, repo_info.default_branch));
  }
  std::vector<NodeReport> reports;
  if (!plan.workflows.empty()) {
    const auto& first = plan.workflows.front();
    if (record) {
      (void)record->write_event_json(first.payload);
    }
    RunExecution execution(options, state, plan, scheduler);
    reports = scheduler.run([&execution](const NodeContext& node) { return execution.run_node(node); }, &cancel);
  }
  placer.finish();
  reporter.stop();
  // report: the summary, the exit code, the run record. A summary that cannot be written
  // interrupts too, so the exit code says the output is incomplete.
  bool failed = !problems.broken.empty();
  for (const auto& report : reports) {
    failed = failed || report.result == NodeResult::failure;
  }
  const auto duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  const RunSummary summary = collector.summary(duration);
  print_summary(options, summary);  // a failed stream writes nothing more
  token_hint.print(std::cerr);
  if (!std::cout.good()) {
    interruption.interrupt(closed_output_signal(STDOUT_FILENO));
  }
  const bool interrupted = interruption.signal() != 0 || cancel.cancelled();
  const int exit_code = interrupted ? interruption.exit_code() : failed ? k_exit_job_failed : k_exit_success;
  nlohmann::json record_json = run_json(run_id, summary, exit_code, interrupted);
  if (state.services) {
    if (auto artifacts = state.services->record(); !artifacts.empty()) {
      record_json["artifacts"] = std::move(artifacts);
      record_json["artifacts_dir"] = state.services->artifacts_dir();
    }
    state.services.reset();  // stops serving: every job has ended
  }
  if (record) {
    (void)record->write_run_json(record_json);
    (void)record->mark_latest();
    prune_runs(fs::path(record->dir()).parent_path().string());
  }
  for (const auto& problem : write_reports(options, record_json, collector, duration)) {
    print_error(problem);
  }
  return exit_code;
}

}  // namespace pipeline::runner::engine
