#include "runner/job/call_plan.hpp"

#include <filesystem>
#include <optional>
#include <regex>
#include <set>

#include "actions/resolver.hpp"
#include "runner/job/contexts.hpp"
#include "runner/job/reusable.hpp"
#include "runner/job/run_inputs.hpp"
#include "runner/git/git_context.hpp"
#include "workflow/permissions.hpp"
#include "workflow/plan/matrix.hpp"

namespace pipeline::runner::job {

namespace expr = workflow::expr;
namespace fs = std::filesystem;
using workflow::Job;
using workflow::Workflow;
using workflow::plan::PlanCall;
using workflow::plan::PlanJob;

namespace {

/// A message without the `file:line:col: ` it may start with: on a plan's line the place is
/// the caller just above.
std::string without_location(const std::string& message) {
  static const std::regex k_location(R"(^[^\s]*:[0-9]+:[0-9]+: )");
  std::string text = std::regex_replace(message, k_location, "", std::regex_constants::format_first_only);
  while (!text.empty() && text.back() == '\n') {
    text.pop_back();
  }
  return text;
}

/// What the jobs of one workflow of the plan see, and what their calls may grant.
struct Scope {
  const Workflow* workflow = nullptr;
  expr::Value inputs;
  expr::Value secrets;
  std::string prefix;  // "caller / " inside a called workflow
  int depth = 1;       // 1 for the workflows pipe was asked to run
  std::optional<workflow::TokenPermissions> allowed;  // unknown when an expression decides it
};

class CallPlanner {
public:
  CallPlanner(RunState& run, const PlanRoot& root) : m_run(run), m_root(root) {}

  std::vector<PlanJob> plan(const workflow::plan::JobGraph& graph, const Scope& scope) {
    std::vector<PlanJob> jobs;
    for (const auto& id : graph.topological_order()) {
      if (const Job* job = scope.workflow->find_job(id)) {
        jobs.push_back(plan_job(*job, scope));
      }
    }
    return jobs;
  }

  [[nodiscard]] const std::string& errors() const { return m_errors; }

private:
  PlanJob plan_job(const Job& job, const Scope& scope) {
    PlanJob planned;
    planned.id = job.id.value;
    auto ctx = job_context(job, scope);
    planned.name = scope.prefix.empty() ? job.id.value : scope.prefix + job_display_name(job, {}, ctx);
    for (const auto& need : job.needs) {
      planned.needs.push_back(need.value);
    }
    if (!job.uses) {
      return planned;
    }
    planned.uses = job.uses->value;
    if (scope.depth >= k_max_workflow_depth) {
      // GitHub refuses such a run before any job starts; so does pipe, pointing at the call.
      planned.note = "reusable workflows may nest at most " + std::to_string(k_max_workflow_depth) + " levels";
      report_too_deep(job, scope);
      return planned;
    }
    auto called = find_called(job, planned);
    if (!called) {
      return planned;
    }
    auto graph = workflow::plan::JobGraph::build(*called);
    if (!graph) {
      planned.note = graph.error().message;
      return planned;
    }
    const auto allowed = check_permissions(job, scope, *called);
    for (const auto& matrix : combinations(job, ctx, planned)) {
      planned.calls.push_back(plan_call(job, scope, ctx, matrix, called, *graph, allowed));
    }
    return planned;
  }

  PlanCall plan_call(const Job& job, const Scope& scope, expr::MapContext& ctx, const nlohmann::ordered_json& matrix,
                     const std::shared_ptr<const Workflow>& called, const workflow::plan::JobGraph& graph,
                     const std::optional<workflow::TokenPermissions>& allowed) {
    JobInstance caller;
    caller.workflow = scope.workflow;
    caller.job = &job;
    caller.matrix = matrix;
    caller.needs = expr::Value::object();  // outputs of needs are only known when the run gets there
    ctx.set("matrix", expr::Value::from_json(matrix));
    PlanCall call;
    call.name = scope.prefix + job_display_name(job, matrix, ctx);
    RunState state = m_run;
    state.inputs = scope.inputs;
    state.secrets = scope.secrets;
    state.masker = nullptr;  // a plan passes no value on to any output
    Scope inner{called.get(), expr::Value::object(), expr::Value::object(), call.name + " / ", scope.depth + 1,
                allowed};
    if (auto bound = bind_call(state, caller, called)) {
      inner.inputs = bound->inputs;
      inner.secrets = bound->secrets;
    } else {
      call.note = without_location(bound.error().message);
    }
    call.jobs = plan(graph, inner);
    return call;
  }

  /// The called workflow, or nullptr with a note on the caller saying why it is not shown.
  std::shared_ptr<const Workflow> find_called(const Job& job, PlanJob& planned) {
    auto file = called_workflow_file(m_run, *job.uses);
    if (!file) {
      const bool remote = job.uses->value.rfind("./", 0) != 0 && !actions::is_self_reference(job.uses->value);
      const bool offline = m_run.options == nullptr || m_run.options->dry_run || m_run.options->offline;
      planned.note = remote && offline ? "remote workflow " + job.uses->value + ": not fetched in a dry run"
                                       : without_location(file.error().message);
      return nullptr;
    }
    auto called = called_workflow(m_run, *file, *job.uses);
    if (!called) {
      planned.note = without_location(called.error().message);
      return nullptr;
    }
    return *called;
  }

  /// Reports what `called` asks beyond what the caller holds; returns what the caller holds.
  std::optional<workflow::TokenPermissions> check_permissions(const Job& job, const Scope& scope,
                                                              const Workflow& called) {
    if (!scope.allowed) {
      return std::nullopt;
    }
    auto allowed = workflow::caller_permissions(*scope.workflow, job, *scope.allowed);
    if (!allowed) {
      return std::nullopt;
    }
    for (auto d : workflow::check_called_permissions(*allowed, called, job.uses->value)) {
      d.where.file = shown_path(d.where.file);
      m_errors += workflow::format_diagnostic(d, called.source);
    }
    return allowed;
  }

  void report_too_deep(const Job& job, const Scope& scope) {
    workflow::Diagnostic d;
    d.where = job.uses->where;
    d.where.file = shown_path(d.where.file);
    d.message = "calling " + job.uses->value + " here would nest reusable workflows " +
                std::to_string(scope.depth + 1) + " levels deep; at most " + std::to_string(k_max_workflow_depth) +
                " are allowed (the top workflow included)";
    std::string text = workflow::format_diagnostic(d, scope.workflow->source);
    if (m_reported.insert(text).second) {  // a matrix reaches the same call many times
      m_errors += text;
    }
  }

  /// The caller's matrix combinations (one empty one without a matrix); a matrix only the
  /// run can evaluate (it reads `needs`) gives one call and a note.
  std::vector<nlohmann::ordered_json> combinations(const Job& job, expr::MapContext& ctx, PlanJob& planned) {
    if (!job.strategy) {
      return {nlohmann::ordered_json::object()};
    }
    auto matrix = evaluate_node(job.strategy->matrix, ctx);
    auto expanded = matrix ? workflow::plan::expand_matrix(matrix->to_json())
                           : Result<std::vector<workflow::plan::MatrixCombination>>(matrix.error());
    if (!expanded) {
      planned.note = "matrix known when the run gets there";
      return {nlohmann::ordered_json::object()};
    }
    std::vector<workflow::plan::MatrixFilter> filters;
    for (const auto& text : m_run.options ? m_run.options->matrix_filters : std::vector<std::string>{}) {
      if (auto filter = workflow::plan::parse_matrix_filter(text)) {
        filters.push_back(*filter);
      }
    }
    auto kept = workflow::plan::filter_combinations(*expanded, filters);
    if (kept.empty()) {
      planned.note = "no matrix combination runs";
    }
    return kept;
  }

  expr::MapContext job_context(const Job& job, const Scope& scope) {
    expr::MapContext ctx;
    nlohmann::json github = m_run.github;
    github["event_name"] = m_root.event;
    github["event"] = m_root.payload;
    github["job"] = job.id.value;
    ctx.set("github", expr::Value::from_json(github));
    ctx.set("needs", expr::Value::object());
    ctx.set("inputs", scope.inputs);
    ctx.set("vars", m_run.vars);
    ctx.set("secrets", scope.secrets);
    ctx.set("matrix", expr::Value::object());
    return ctx;
  }

  /// A called workflow's path relative to the workspace, as the caller's `uses:` writes it.
  std::string shown_path(const std::string& file) const {
    const auto relative = fs::path(file).lexically_relative(m_run.workspace);
    return relative.empty() || *relative.begin() == ".." ? file : relative.string();
  }

  RunState& m_run;
  const PlanRoot& m_root;
  std::string m_errors;
  std::set<std::string> m_reported;
};

}  // namespace

CallPlan plan_calls(RunState& run, const PlanRoot& root) {
  CallPlanner planner(run, root);
  Scope top{root.workflow, root.inputs, run.secrets, "", 1, workflow::default_token_permissions()};
  CallPlan out;
  out.jobs = planner.plan(*root.graph, top);
  out.errors = planner.errors();
  return out;
}

CallPlan plan_calls_offline(const Workflow& wf, const workflow::plan::JobGraph& graph, const std::string& dir) {
  actions::ResolverOptions options;
  options.network = actions::Network::offline;
  actions::Resolver resolver(options);
  const std::string workspace = fs::absolute(dir).lexically_normal().string();
  auto repo = git::read_repository(workspace);
  git::RepoInfo info = repo ? *repo : git::RepoInfo{};
  if (info.workspace.empty()) {
    info.workspace = workspace;
  }
  RunState run;
  run.workspace = workspace;
  run.resolver = &resolver;
  run.secrets = expr::Value::object();
  run.vars = expr::Value::object();
  run.github = github_context(info, "push", nlohmann::json::object(), "0", wf, "");
  PlanRoot root{&wf, &graph, "push", nlohmann::json::object(), expr::Value::object()};
  return plan_calls(run, root);
}

}  // namespace pipeline::runner::job
