#pragma once
// Internal to the engine: the state of one job instance while it runs, shared by
// job_runner.cpp (setup, contexts, environment), job_steps.cpp (steps) and job_actions.cpp (uses:).
#include "runner/job/job_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>

#include "actions/resolver.hpp"
#include "runner/job/action_step.hpp"
#include "runner/job/checkout.hpp"
#include "runner/job/docker_action.hpp"
#include "runner/job/job_services.hpp"
#include "runner/engine/platforms.hpp"
#include "runner/engine/script.hpp"
#include "runner/job/step_reporter.hpp"
#include "runner/output/file_commands.hpp"
#include "workflow/expr/hash_files.hpp"
#include "workflow/expr/template.hpp"


namespace pipeline::runner::job::detail {

namespace expr = workflow::expr;
using workflow::Node;
using workflow::Step;
using Clock = std::chrono::steady_clock;


constexpr double k_default_job_timeout_minutes = 360;
constexpr const char* k_container_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The per-step files GitHub's runner hands a step through GITHUB_ENV, GITHUB_OUTPUT, ...
struct FileCommandPaths {
  std::string env, output, state, path, summary;
};

/// What the `steps` context remembers of a step with an id.
struct StepContextEntry {
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
  std::vector<StepContextEntry> steps;
  bool composite = false;
  int depth = 0;
  EnvList env;            // the composite step's env, under each of its steps
  expr::Value inputs;     // the `inputs` context inside the composite
  ActionPtr action;       // the composite action
  std::string display;    // the outer step's name: inner steps report under it
};

/// Runs a step's process given its prepared environment, timeout and cancel token.
using StepProcess = std::function<Result<ExitStatus>(const engine::ScriptStep& prepared, OutputSink& sink)>;

/// A background step from its start to the step that waits for it (job_background.cpp).
struct BackgroundStep;

/// How a step that waits for or cancels background steps is named when it has no `name:`.
[[nodiscard]] std::string control_step_name(const Step& step);

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

inline std::string first_line(std::string_view text) {
  while (!text.empty() && (text.front() == '\n' || text.front() == ' ')) {
    text.remove_prefix(1);
  }
  return std::string(text.substr(0, text.find('\n')));
}

inline std::vector<std::string> runs_on_labels(const expr::Value& value) {
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

/// `base` with each variable of `over` set on top.
inline EnvList overlay(EnvList base, const EnvList& over) {
  for (const auto& [name, value] : over) {
    set_env(base, name, value);
  }
  return base;
}

inline std::string result_word(engine::NodeResult result) {
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
  [[nodiscard]] Result<std::vector<std::string>> labels(expr::MapContext& ctx) const;
  [[nodiscard]] std::optional<std::string> unserved_label(expr::MapContext& ctx) const;
  [[nodiscard]] JobOutcome without_runner(const std::string& label);
  [[nodiscard]] Result<void> evaluate_job_env();
  [[nodiscard]] Result<JobSpec> job_spec();
  [[nodiscard]] Result<void> prepare();
  void add_action_mounts(JobSpec& spec) const;
  void write_event_file();
  void connect_services(const std::string& job_id);
  // Contexts.
  [[nodiscard]] expr::MapContext contexts(const EnvList& env) const;
  [[nodiscard]] expr::Value steps_context() const;
  [[nodiscard]] expr::Value job_context() const;
  void add_workflow_origin(expr::Value& job) const;
  [[nodiscard]] expr::Value runner_context() const;
  [[nodiscard]] expr::Status status() const;
  // Steps.
  void run_step(const Step& step, std::size_t index);
  [[nodiscard]] std::string step_name(const Step& step, expr::MapContext& ctx) const;
  [[nodiscard]] Result<bool> should_run(const Step& step, expr::MapContext& ctx) const;
  [[nodiscard]] Result<void> evaluate_default_shell();
  [[nodiscard]] Result<std::string> step_shell(const Step& step, expr::MapContext& ctx) const;
  void explain_skip(const Step& step, const std::string& name, expr::MapContext& ctx);
  [[nodiscard]] Result<engine::NodeResult> run_script_step(const Step& step, const std::string& name, std::size_t index,
                                                   expr::MapContext& ctx, EnvList& step_env);
  [[nodiscard]] Result<engine::NodeResult> execute_step(const Step& step, const std::string& name, StepContextEntry& record,
                                                expr::MapContext& ctx, const EnvList& step_env,
                                                const std::string& action_id, const StepProcess& process);
  [[nodiscard]] Result<engine::NodeResult> execute_script(const Step& step, const std::string& name, StepContextEntry& record,
                                                  expr::MapContext& ctx, const EnvList& step_env,
                                                  const engine::ScriptStep& script, const std::string& action_id);
  // Actions (uses:).
  [[nodiscard]] EnvList scope_env() const;
  [[nodiscard]] Result<ActionPtr> resolve_action(const Step& step);
  [[nodiscard]] Result<engine::NodeResult> run_action_step(const Step& step, const std::string& name, std::size_t index,
                                                   expr::MapContext& ctx, EnvList& step_env);
  [[nodiscard]] Result<engine::NodeResult> run_composite(const ActionPtr& action, const ActionInputs& inputs,
                                                 const std::string& name, StepContextEntry& record,
                                                 const EnvList& step_env);
  [[nodiscard]] Result<engine::NodeResult> run_node_stage(const ActionPtr& action, ActionStage stage, const Step& step,
                                                  const std::string& name, StepContextEntry& record,
                                                  expr::MapContext& ctx, EnvList step_env);
  [[nodiscard]] Result<engine::NodeResult> run_docker_stage(const ActionPtr& action, ActionStage stage, const Step& step,
                                                    const std::string& name, StepContextEntry& record,
                                                    expr::MapContext& ctx, const EnvList& step_env,
                                                    const ActionInputs& inputs);
  [[nodiscard]] Result<std::string> pick_node(const std::string& using_, const EnvList& env, const std::string& name);
  [[nodiscard]] std::vector<NodeInstall> find_node_installs(const EnvList& env);
  [[nodiscard]] Result<engine::NodeResult> run_stage(const ActionPtr& action, ActionStage stage, const Step& step,
                                             const std::string& name, StepContextEntry& record, expr::MapContext& ctx,
                                             const EnvList& step_env, const ActionInputs& inputs);
  [[nodiscard]] EnvList action_env(const ActionPtr& action, const ActionInputs& inputs, EnvList step_env) const;
  [[nodiscard]] Result<engine::NodeResult> run_checkout(const Step& step, const std::string& name, expr::MapContext& ctx);
  void run_pre_steps();
  void run_post_steps();
  void run_stage_step(const Step& step, const ActionPtr& action, ActionStage stage, const std::string& name,
                      const EnvList& env, const ActionInputs& inputs);
  [[nodiscard]] Result<FileCommandPaths> create_file_commands();
  void read_file_commands(const FileCommandPaths& files, const std::string& step_name, StepContextEntry& record,
                          bool& failed);
  [[nodiscard]] EnvList process_env(const EnvList& step_env, const FileCommandPaths& files,
                                    const std::string& action_id) const;
  [[nodiscard]] std::chrono::milliseconds step_timeout(const Step& step, expr::MapContext& ctx, double& minutes) const;
  [[nodiscard]] bool continue_on_error(const std::optional<Node>& node, expr::MapContext& ctx) const;
  void post_step_started(const std::string& name, int index = -1);
  void finish_step(const std::string& name, engine::NodeResult result, Clock::time_point started, int index = -1);
  [[nodiscard]] Result<engine::NodeResult> finish_process(const Result<ExitStatus>& status, StepReporter& sink,
                                                  const FileCommandPaths& files, StepContextEntry& record,
                                                  const std::string& name, double minutes);
  // Background steps (job_background.cpp).
  [[nodiscard]] bool start_background(const Step& step, const std::string& name, std::size_t index,
                                      expr::MapContext& ctx, EnvList& step_env, Clock::time_point started);
  void launch_background(BackgroundStep& background, const StepProcess& process, const engine::ScriptStep& prepared,
                         const std::shared_ptr<StepReporter>& sink, const FileCommandPaths& files, double minutes);
  [[nodiscard]] engine::NodeResult run_control_step(const Step& step);
  void join_background(BackgroundStep& background);
  void join_all_background();
  // Reporting.
  void notice(std::string text, const std::string& step = {});
  void fail(const std::string& step, const std::string& message);
  void evaluate_outputs(JobOutcome& outcome);
  void describe_environment(engine::Event& end);  // job_environment.cpp

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
  std::optional<workflow::Located<std::string>> m_default_shell;  // `defaults.run.shell`, evaluated
  Scope m_root;
  Scope* m_scope = &m_root;
  std::map<std::string, ActionPtr> m_actions;           // by uses: text; keeps manifests alive
  std::map<const Step*, EnvList> m_action_state;        // GITHUB_STATE of each action step
  EnvList* m_state_sink = nullptr;                      // where the running stage's state goes
  bool m_isolated_env = false;                          // a Docker action: no host environment
  std::vector<PostStep> m_post_steps;
  std::optional<std::vector<NodeInstall>> m_node_installs;  // probed at the first JavaScript step
  std::set<std::string> m_node_warnings;                    // runs.using values already warned about
  bool m_failed = false;
  // Whether the running step's condition was evaluated after the job was cancelled (it ran for
  // always() or cancelled()): such a step must not be killed by the job's own token.
  bool m_step_after_cancel = false;
  Clock::time_point m_deadline;
  double m_job_timeout_minutes = k_default_job_timeout_minutes;
  EnvList m_service_env;  // ACTIONS_RUNTIME_TOKEN and the services' URLs
  std::vector<std::shared_ptr<BackgroundStep>> m_background;  // started, in order; each joined once
  BackgroundStep* m_launching = nullptr;  // set while a background step's process is being started
};

}  // namespace pipeline::runner::job::detail
