#include "runner/job/run_schedule.hpp"

#include <atomic>

#include "runner/engine/resources.hpp"
#include "runner/job/reusable.hpp"
#include "runner/job/step_reporter.hpp"
#include "runner/job/warm_demand.hpp"
#include "workflow/expr/explain.hpp"
#include "workflow/expr/template.hpp"
#include "workflow/plan/matrix.hpp"

namespace pipeline::runner::job {

namespace expr = workflow::expr;
using workflow::Job;

namespace {

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
  return engine::host_port_resources(ports);
}

/// The scheduler's node callback of one run, or of one called workflow nested in a job.
class RunExecution {
public:
  RunExecution(const RunOptions& options, RunState& state, Plan& plan, engine::Scheduler& scheduler)
      : m_options(options), m_state(state), m_plan(plan), m_scheduler(scheduler) {
    expect_jobs();
  }

  /// Makes this the run of a called workflow: job names start with the caller's.
  void nest(std::string caller_name, int depth) {
    m_name_prefix = std::move(caller_name) + " / ";
    m_depth = depth;
  }

  engine::NodeOutcome run_node(const engine::NodeContext& node) {
    std::optional<JobInstance> instance;
    {
      std::lock_guard lock(m_plan.mutex);
      if (auto it = m_plan.instances.find(node.id); it != m_plan.instances.end()) {
        instance = it->second;
      }
    }
    if (!instance) {
      auto outcome = run_planned(m_plan.jobs.at(m_plan.job_index.at(node.id)), node);
      if (auto expected = m_expected.find(node.id); expected != m_expected.end() && outcome.children.empty()) {
        m_state.warm_demand->started(expected->second);  // skipped: it will not take a container
      }
      return outcome;
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
  /// Counts the jobs without a matrix that will want a container like another's: each one whose
  /// `if:` is not `false` as written (a matrix is counted when it expands).
  void expect_jobs() {
    if (!m_state.warm_demand) {
      return;
    }
    for (const PlannedJob& planned : m_plan.jobs) {
      const Job& job = *planned.job;
      if (job.strategy || (job.if_condition && statically_false(job.if_condition->value))) {
        continue;
      }
      auto ctx = job_level_context(planned, expr::Value::object());
      if (auto warm = warm_class_of(job, ctx)) {
        m_state.warm_demand->expect(*warm);
        m_expected.emplace(planned.key, *warm);
      }
    }
  }

  /// The job's warm class within this run (a called workflow's jobs have containers of their own).
  std::optional<std::string> warm_class_of(const Job& job, expr::MapContext& ctx) const {
    auto warm = warm_class(job, ctx, m_options);
    return warm ? std::optional<std::string>(m_state.run_id + "\n" + *warm) : std::nullopt;
  }

  /// A job with `uses:`: the called workflow's jobs run in a nested scheduler inside this node.
  JobOutcome run_called(const JobInstance& caller, const engine::NodeContext& node) {
    JobOutcome outcome;
    outcome.result = engine::NodeResult::failure;
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
    engine::Scheduler scheduler(worker_count(m_options));
    if (auto added = add_nodes(plan, scheduler); !added) {
      fail_call(caller.display_name, added.error().message);
      return outcome;
    }
    RunExecution nested(m_options, state, plan, scheduler);
    nested.nest(caller.display_name, m_depth + 1);
    const auto reports = scheduler.run([&nested](const engine::NodeContext& n) { return nested.run_node(n); }, &node.cancel);
    expr::Value jobs = expr::Value::object();
    outcome.result = engine::NodeResult::success;
    for (const auto& report : reports) {
      if (report.parent) {
        continue;
      }
      const PlannedJob& planned = plan.jobs.at(plan.job_index.at(report.id));
      expr::Value entry = expr::Value::object();
      entry.set("result", std::string(to_string(report.result)));
      entry.set("outputs", string_map(plan.outputs[report.id]));
      jobs.set(planned.job->id.value, entry);
      if (report.result == engine::NodeResult::failure || report.result == engine::NodeResult::cancelled) {
        outcome.result = report.result;
      }
    }
    outcome.outputs = called_workflow_outputs(*called->workflow, jobs, *called, state);
    return outcome;
  }

  /// A call that could not start shows as a failed job with the reason.
  void fail_call(const std::string& name, const std::string& message) {
    post_failed_job(*m_state.reporter, name, message);
  }

  expr::Value needs_context(const PlannedJob& planned, const engine::NodeContext& node) {
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
    post_job_finished(*m_state.reporter, name, engine::NodeResult::skipped);
    if (m_options.explain) {
      engine::post_notice(*m_state.reporter, "skipped: " + why, name);
    }
  }

  engine::NodeOutcome run_planned(const PlannedJob& planned, const engine::NodeContext& node) {
    const Job& job = *planned.job;
    const expr::Value needs = needs_context(planned, node);
    auto ctx = job_level_context(planned, needs);
    bool any_failed = false;
    bool any_skipped = false;
    for (const auto& dep : node.dependencies) {
      any_failed = any_failed || dep.result == engine::NodeResult::failure || dep.result == engine::NodeResult::cancelled;
      any_skipped = any_skipped || dep.result == engine::NodeResult::skipped;
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
      return {engine::NodeResult::skipped, {}};
    }
    auto run_it = expr::evaluate_condition(condition, ctx);
    if (!run_it) {
      engine::post_notice(*m_state.reporter, "if: " + run_it.error().message, plain_name);
      return {engine::NodeResult::failure, {}};
    }
    if (!*run_it) {
      const std::string operands = m_options.explain ? expr::format_operands(expr::explain_operands(condition, ctx)) : "";
      skip(plain_name, "if: " + (condition.empty() ? std::string("success()") : condition) + " was false" +
                           (any_failed ? " (a job it needs failed)" : "") +
                           (operands.empty() ? "" : " with " + operands));
      return {engine::NodeResult::skipped, {}};
    }
    return expand(planned, ctx, needs);
  }

  engine::NodeOutcome expand(const PlannedJob& planned, expr::MapContext& ctx, const expr::Value& needs) {
    const Job& job = *planned.job;
    std::vector<workflow::plan::MatrixCombination> combinations{nlohmann::ordered_json::object()};
    bool fail_fast = true;
    std::size_t max_parallel = 0;
    if (job.strategy) {
      auto matrix = evaluate_node(job.strategy->matrix, ctx);
      if (!matrix) {
        engine::post_notice(*m_state.reporter, "strategy.matrix: " + matrix.error().message, job.id.value);
        return {engine::NodeResult::failure, {}};
      }
      auto expanded = workflow::plan::expand_matrix(matrix->to_json());
      if (!expanded) {
        engine::post_notice(*m_state.reporter, "strategy.matrix: " + expanded.error().message, job.id.value);
        return {engine::NodeResult::failure, {}};
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
      return {engine::NodeResult::skipped, {}};
    }
    m_scheduler.define_group(planned.key, {fail_fast ? engine::FailFast::on : engine::FailFast::off, max_parallel});
    engine::NodeOutcome outcome;
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
      instance.warm_class = expected_class(planned, ctx);
      const std::string id = planned.key + "#" + std::to_string(i);
      m_plan.instances[id] = std::move(instance);
      outcome.children.push_back({id, {}, planned.key, port_resources(job)});
    }
    return outcome;
  }

  /// The warm class an instance counts under: its job's, or for a matrix its combination's
  /// (`ctx` holds its matrix), counted now.
  std::string expected_class(const PlannedJob& planned, expr::MapContext& ctx) {
    if (!m_state.warm_demand) {
      return {};
    }
    if (!planned.job->strategy) {
      auto expected = m_expected.find(planned.key);
      return expected == m_expected.end() ? std::string() : expected->second;
    }
    auto warm = warm_class_of(*planned.job, ctx);
    if (warm) {
      m_state.warm_demand->expect(*warm);
    }
    return warm.value_or("");
  }

  std::string display_name(const PlannedJob& planned, const JobInstance& instance, expr::MapContext& ctx) {
    ctx.set("matrix", expr::Value::from_json(instance.matrix));
    ctx.set("strategy", instance.strategy);
    return m_name_prefix + job_display_name(*planned.job, instance.matrix, ctx);
  }

  const RunOptions& m_options;
  RunState& m_state;
  Plan& m_plan;
  engine::Scheduler& m_scheduler;
  std::string m_name_prefix;  // "caller / " inside a called workflow
  int m_depth = 1;            // 1 for the workflows pipe was asked to run
  std::map<std::string, std::string> m_expected;  // node id -> warm class, of jobs counted in warm_demand
};

}  // namespace

std::vector<engine::NodeReport> schedule_jobs(const RunOptions& options, RunState& state, Plan& plan,
                                              engine::Scheduler& scheduler, CancelToken& cancel) {
  if (plan.workflows.empty()) {
    return {};
  }
  RunExecution execution(options, state, plan, scheduler);
  return scheduler.run([&execution](const engine::NodeContext& node) { return execution.run_node(node); }, &cancel);
}

}  // namespace pipeline::runner::job
