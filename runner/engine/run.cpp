#include "runner/engine/run.hpp"

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
#include "runner/engine/action_step.hpp"
#include "runner/engine/broken_workflows.hpp"
#include "runner/engine/call_plan.hpp"
#include "runner/engine/reusable.hpp"
#include "runner/engine/step_output.hpp"
#include "runner/engine/ci_output.hpp"
#include "runner/engine/job_runner.hpp"
#include "runner/engine/job_services.hpp"
#include "runner/engine/output_guard.hpp"
#include "runner/engine/platforms.hpp"
#include "runner/engine/render.hpp"
#include "runner/engine/report_junit.hpp"
#include "runner/engine/reporter.hpp"
#include "runner/engine/resources.hpp"
#include "runner/engine/run_inputs.hpp"
#include "runner/engine/run_record.hpp"
#include "runner/engine/scheduler.hpp"
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

constexpr int k_exit_success = 0;
constexpr int k_exit_failed = 1;
constexpr int k_exit_usage = 2;

/// A workflow the event starts, with what its jobs evaluate against.
struct SelectedWorkflow {
  const Workflow* workflow = nullptr;
  std::string event;
  nlohmann::json payload;
  expr::Value inputs;
  workflow::plan::JobGraph graph;
};

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

void post_notice(Reporter& reporter, const std::string& text, const std::string& job = {}) {
  Event event;
  event.kind = EventKind::notice;
  event.job = job;
  event.text = text;
  reporter.post(std::move(event));
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

std::vector<std::string> changed_files(const std::string& dir) {
  if (auto dirty = git::uncommitted_changes(dir); dirty && !dirty->empty()) {
    return *dirty;
  }
  if (auto pushed = git::changed_files_for_push(dir); pushed) {
    return *pushed;
  }
  return {};
}

using EngineConnection = std::future<Result<std::shared_ptr<docker::EngineClient>>>;

/// Starts connecting to the container engine while the workflows load and the repository is
/// read; the first job to need it waits for the answer. Nothing starts when jobs run on the host.
EngineConnection connect_engine_early(const RunOptions& options) {
  if (options.backend == BackendChoice::host || options.dry_run) {
    return {};
  }
  const auto kind = options.backend == BackendChoice::podman ? docker::EngineKind::podman : docker::EngineKind::docker;
  return std::async(std::launch::async, [kind] { return docker::EngineClient::connect_to(kind); });
}

/// Chooses backends for jobs: host, or containers through the engine (connected on first use).
class Placer {
public:
  Placer(const RunOptions& options, Reporter& reporter, std::string run_root, EngineConnection engine)
      : m_options(options), m_reporter(reporter), m_host(std::move(run_root)), m_engine(std::move(engine)) {}

  // A job with `container:` keeps GitHub's container-job rules (its default shell is `sh`) on
  // whichever backend runs it.
  Result<Placement> place(const std::vector<std::string>& labels, const std::string& container_image) {
    const bool job_container = !container_image.empty();
    if (m_options.backend == BackendChoice::host) {
      return Placement{&m_host, "", job_container};
    }
    std::string image = container_image;
    if (image.empty()) {
      auto mapped = map_labels(labels);
      if (!mapped) {
        return mapped.error();
      }
      if (*mapped == "host") {
        return Placement{&m_host, "", false};
      }
      image = *mapped;
    }
    Backend* docker = docker_backend();
    if (!docker) {
      if (m_options.backend == BackendChoice::docker || m_options.backend == BackendChoice::podman) {
        return Error{m_docker_error};
      }
      return Placement{&m_host, "", job_container};
    }
    return Placement{docker, image, job_container};
  }

  /// Connects now when the choice is automatic, so the fallback notice comes first.
  void probe() {
    if (m_options.backend == BackendChoice::automatic && !docker_backend()) {
      // A CI job container rarely has an engine: say once that the host is the default there.
      post_notice(m_reporter, running_in_container()
                                  ? "pipe runs inside a container and no engine answers: --backend host"
                                  : "no container engine answers (" + m_docker_error + "); running jobs on the host");
    }
  }

  ~Placer() { finish(); }
  Placer(const Placer&) = delete;
  Placer& operator=(const Placer&) = delete;

  /// Waits for the removal of dead runs' leftovers, so its notice comes before the summary.
  void finish() {
    if (m_cleanup.joinable()) {
      m_cleanup.join();
    }
  }

  /// The container engine, for Docker actions of any job; null when none answers.
  docker::DockerBackend* docker_for_actions() {
    (void)docker_backend();
    std::lock_guard lock(m_mutex);
    return m_docker.get();
  }

private:
  Result<std::string> map_labels(const std::vector<std::string>& labels) const {
    auto choice = choose_platform(labels, m_options.platforms);
    if (choice.image.empty()) {
      return Error{no_runner_message(choice.unserved)};
    }
    return choice.image;
  }

  Backend* docker_backend() {
    std::lock_guard lock(m_mutex);
    if (!m_docker && m_docker_error.empty()) {
      docker::DockerBackendOptions options;
      options.pull = m_options.pull == PullChoice::always  ? docker::PullPolicy::always
                     : m_options.pull == PullChoice::never ? docker::PullPolicy::never
                                                           : docker::PullPolicy::missing;
      options.engine_socket = m_options.engine_socket ? docker::EngineSocket::mount : docker::EngineSocket::hide;
      options.agent = m_options.agent ? docker::StepAgentMode::on : docker::StepAgentMode::off;
      options.on_status = [this](const std::string& message) { post_notice(m_reporter, message); };
      auto connected = m_engine.valid() ? m_engine.get()
                                        : docker::EngineClient::connect_to(m_options.backend == BackendChoice::podman
                                                                               ? docker::EngineKind::podman
                                                                               : docker::EngineKind::docker);
      if (connected) {
        m_docker = std::make_unique<docker::DockerBackend>(std::move(*connected), options);
        // Containers and networks of runs whose pipe died (kill -9, a crash) go while the first
        // jobs start: they share nothing with this run. Containers kept by --reuse are not leftovers.
        m_cleanup = std::thread([this] { remove_leftovers(); });
      } else {
        m_docker_error = connected.error().message;
      }
    }
    return m_docker.get();
  }

  void remove_leftovers() {
    auto cleaned = docker::cleanup_leftovers(m_docker->client(), "", docker::LiveRuns::keep);
    if (cleaned && cleaned->containers + cleaned->networks > 0) {
      post_notice(m_reporter, "removed " + std::to_string(cleaned->containers) + " container(s) and " +
                                  std::to_string(cleaned->networks) + " network(s) left by dead runs");
    }
  }

  const RunOptions& m_options;
  Reporter& m_reporter;
  HostBackend m_host;
  std::mutex m_mutex;
  std::unique_ptr<docker::DockerBackend> m_docker;
  std::string m_docker_error;
  EngineConnection m_engine;
  std::thread m_cleanup;
};

/// Loads the workflows and keeps those the event starts; prints why the others do not run.
Result<std::vector<SelectedWorkflow>> select_workflows(const workflow::LoadedSet& set, const RunOptions& options,
                                                       const git::RepoInfo& repo, const std::string& dir,
                                                       Reporter& reporter) {
  std::vector<SelectedWorkflow> out;
  const auto changed = options.changed_files ? *options.changed_files : changed_files(dir);
  for (const auto& wf : set.workflows) {
    SelectedWorkflow s;
    s.workflow = &wf;
    s.event = !options.event.empty() ? options.event
              : options.workflows.empty() || wf.find_trigger("push") ? std::string("push")
                                                                     : workflow::plan::select_default_event(wf);
    workflow::plan::Event event;
    event.name = s.event;
    event.ref = repo.ref;
    if (s.event.rfind("pull_request", 0) == 0) {
      event.base_ref = repo.default_branch;
      event.action = "opened";
    }
    if (s.event == "push" || s.event.rfind("pull_request", 0) == 0) {
      event.changed_files = changed;
    }
    const auto match = options.selection == WorkflowSelection::all ? workflow::plan::TriggerMatch{true, ""}
                                                                   : workflow::plan::match_trigger(wf, event);
    if (!match.runs) {
      post_notice(reporter, "not running " + wf.path + ": " + match.reason);
      continue;
    }
    auto inputs = collect_inputs(wf, s.event, options);
    if (!inputs) {
      return inputs.error();
    }
    s.inputs = *inputs;
    auto payload = event_payload(options, s.event, repo, dir, s.inputs);
    if (!payload) {
      return payload.error();
    }
    s.payload = *payload;
    auto graph = workflow::plan::JobGraph::build(wf);
    if (!graph) {
      return Error{wf.path + ": " + graph.error().message};
    }
    if (!options.jobs.empty()) {
      std::vector<std::string> present;
      for (const auto& id : options.jobs) {
        if (graph->find(id)) {
          present.push_back(id);
        }
      }
      if (present.empty()) {
        continue;
      }
      auto sub = graph->subgraph_for(present);
      if (!sub) {
        return sub.error();
      }
      graph = std::move(sub);
    }
    s.graph = std::move(*graph);
    out.push_back(std::move(s));
  }
  return out;
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

nlohmann::json run_json(const std::string& run_id, const RunSummary& summary, int exit_code, bool interrupted) {
  nlohmann::json jobs = nlohmann::json::array();
  for (const auto& job : summary.jobs) {
    nlohmann::json annotations = nlohmann::json::array();
    for (const auto& a : job.annotations) {
      annotations.push_back({{"level", to_string(a.level)}, {"file", a.file}, {"line", a.line},
                             {"title", a.title}, {"message", a.message}});
    }
    nlohmann::json failed = nlohmann::json::array();
    for (const auto& step : job.failed_steps) {
      failed.push_back({{"name", step.name}, {"result", to_string(step.result)}});
    }
    jobs.push_back({{"name", job.name}, {"result", to_string(job.result)}, {"duration_ms", job.duration.count()},
                    {"failed_steps", failed}, {"annotations", annotations}});
  }
  const char* result = exit_code == 0 ? "success" : interrupted ? "cancelled" : "failure";
  return {{"id", run_id}, {"result", result}, {"exit_code", exit_code},
          {"duration_ms", summary.duration.count()}, {"jobs", jobs}};
}

/// The terminal's sink for the chosen output style.
std::unique_ptr<EventSink> style_sink(const RunOptions& options) {
  if (options.json) {
    return std::make_unique<JsonLinesSink>(std::cout);
  }
  if (options.github_actions) {
    return std::make_unique<GitHubActionsSink>(std::cout);
  }
  switch (options.output) {
    case OutputStyle::ci: return std::make_unique<CiTerminalSink>(std::cout);
    case OutputStyle::compact: return std::make_unique<CompactSink>(std::cout);
    case OutputStyle::full: break;
  }
  return std::make_unique<TerminalSink>(std::cout, detect_color_mode(STDOUT_FILENO));
}

/// The terminal's sink; once standard output fails, nothing more is written there and the run
/// is interrupted as by the signal the failure stands for.
std::unique_ptr<OutputGuard> terminal_sink(const RunOptions& options, Interruption& interruption) {
  const int signal = closed_output_signal(STDOUT_FILENO);
  return std::make_unique<OutputGuard>(style_sink(options), std::cout, [&interruption, signal] {
    if (interruption.interrupt(signal)) {
      std::cerr << interruption_message(signal) << std::flush;
    }
  });
}

void print_summary(const RunOptions& options, const RunSummary& summary) {
  if (options.json || options.output == OutputStyle::compact) {
    return;
  }
  const bool plain = options.output == OutputStyle::ci || options.github_actions;
  std::cout << render_summary(summary, plain ? ColorMode::plain : detect_color_mode(STDOUT_FILENO)) << std::flush;
  if (const char* file = std::getenv("GITHUB_STEP_SUMMARY"); options.github_actions && file && *file) {
    std::ofstream(file, std::ios::app) << render_markdown_summary(summary);
  }
}

/// Writes each `--report`; a report that cannot be written is an error message, not a failed run.
void write_reports(const RunOptions& options, const nlohmann::json& run_record, const StepRecorder& recorder,
                   std::chrono::milliseconds duration) {
  for (const auto& report : options.reports) {
    std::ofstream out(report.file, std::ios::binary | std::ios::trunc);
    if (report.kind == "junit") {
      out << render_junit(recorder.jobs(), duration);
    } else {
      out << run_record.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    }
    if (!out.flush()) {
      print_error("cannot write the " + report.kind + " report to '" + report.file + "'");
    }
  }
}

}  // namespace

int run(const RunOptions& given, Interruption& interruption) {
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
  auto repo = git::read_repository(dir);
  git::RepoInfo repo_info = repo ? *repo : git::RepoInfo{};
  if (repo_info.workspace.empty()) {
    repo_info.workspace = dir;
  }
  // A dry run has no side effects: Vault is not asked (its lines are still checked), nor the terminal.
  auto secrets = collect_secrets(options, dir, options.dry_run ? SecretReach::local_only : SecretReach::everywhere);
  auto vars = secrets ? collect_vars(options, dir) : Result<EnvList>(secrets.error());
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
  StepRecorder recorder;
  std::vector<EventSink*> sinks{terminal.get(), &collector, &recorder};
  if (logs) {
    sinks.push_back(logs.get());
  }
  Reporter reporter(sinks, &masker);
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
  RunState state;
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
                                      : k_exit_failed;
  }
  if (plan.jobs.empty()) {
    post_notice(reporter, "nothing to run");
  }
  // schedule: each job starts as soon as its own needs have ended.
  Placer placer(options, reporter, "", std::move(engine));
  placer.probe();
  state.docker = [&placer] { return placer.docker_for_actions(); };
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
  if (!std::cout.good()) {
    interruption.interrupt(closed_output_signal(STDOUT_FILENO));
  }
  const bool interrupted = interruption.signal() != 0 || cancel.cancelled();
  const int exit_code = interrupted ? interruption.exit_code() : failed ? k_exit_failed : k_exit_success;
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
  write_reports(options, record_json, recorder, duration);
  return exit_code;
}

}  // namespace pipeline::runner::engine
