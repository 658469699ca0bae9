#include "runner/forge/task_run.hpp"

#include <unistd.h>

#include <csignal>
#include <fstream>
#include <thread>

#include "runner/system/owned_dirs.hpp"
#include "runner/engine/reporter.hpp"
#include "runner/job/run.hpp"
#include "runner/forge/task_checkout.hpp"
#include "runner/forge/task_reporter.hpp"
#include "runner/forge/task_volumes.hpp"
#include "runner/forge/task_workflow.hpp"
#include "runner/output/masker.hpp"
#include "workflow/loader.hpp"

namespace pipeline::runner::forge {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

TaskResult task_result(engine::NodeResult result) {
  switch (result) {
    case engine::NodeResult::success: return TaskResult::success;
    case engine::NodeResult::failure: return TaskResult::failure;
    case engine::NodeResult::cancelled: return TaskResult::cancelled;
    case engine::NodeResult::skipped: return TaskResult::skipped;
  }
  return TaskResult::failure;
}

std::string annotation_row(const engine::Annotation& a) {
  std::string where;
  if (!a.file.empty()) {
    where = a.file + (a.line > 0 ? ":" + std::to_string(a.line) : "") + ": ";
  }
  return "##[" + std::string(engine::to_string(a.level)) + "]" + where + a.message;
}

/// Turns the run's events into the task's rows and step states. Events arrive masked by the
/// engine; the task's secrets are masked here once more, so no row can carry one.
class ForgeSink final : public engine::EventSink {
public:
  ForgeSink(TaskLog& log, TaskReporter& reporter, const output::Masker& masker)
      : m_log(log), m_reporter(reporter), m_masker(masker) {}

  void handle(const engine::Event& event) override {
    using engine::EventKind;
    switch (event.kind) {
      case EventKind::output: add_lines(event.text, event.time); break;
      case EventKind::step_started:
        if (event.step_index >= 0) {
          m_log.step_started(event.step_index, event.time);
        } else {
          add_lines("▶ " + event.step, event.time);
        }
        break;
      case EventKind::step_finished:
        if (event.step_index >= 0) {
          m_log.step_finished(event.step_index, task_result(event.result), event.time);
        } else {
          add_lines(event.step + ": " + std::string(to_string(event.result)), event.time);
        }
        break;
      case EventKind::annotation: add_lines(annotation_row(event.annotation), event.time); break;
      case EventKind::group_start: add_lines("##[group]" + event.text, event.time); break;
      case EventKind::group_end: add_lines("##[endgroup]", event.time); break;
      case EventKind::notice: add_lines(event.text, event.time); break;
      case EventKind::job_finished: m_job_result = task_result(event.result); break;
      case EventKind::job_started:
      case EventKind::step_summary: break;
    }
  }

  void flush() override { m_reporter.rows_added(); }

  /// The job's result, when it ended.
  [[nodiscard]] std::optional<TaskResult> job_result() const { return m_job_result; }

private:
  void add_lines(std::string_view text, Clock::time_point time) {
    std::size_t start = 0;
    while (start <= text.size()) {
      const auto end = text.find('\n', start);
      const auto line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
      if (end == std::string_view::npos && line.empty() && start > 0) {
        break;
      }
      m_log.add_row(m_masker.mask(line), time);
      if (end == std::string_view::npos) {
        break;
      }
      start = end + 1;
    }
  }

  TaskLog& m_log;
  TaskReporter& m_reporter;
  const output::Masker& m_masker;
  std::optional<TaskResult> m_job_result;
};

std::string dotenv_quoted(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '$': out += "\\$"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

std::string context_text(const json& context, const char* key) {
  const auto it = context.find(key);
  return it != context.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// The forge's artifact service, as act_runner points jobs at it: the v4 API at the instance's
/// root, the v3 one under /api/actions_pipeline/, and the task's runtime token (a forge too old
/// to hand one out takes the task token).
std::vector<std::pair<std::string, std::string>> forge_results_env(const json& context, const std::string& instance) {
  std::string base = instance;
  while (!base.empty() && base.back() == '/') {
    base.pop_back();
  }
  std::string token = context_text(context, "gitea_runtime_token");
  if (token.empty()) {
    token = context_text(context, "token");
  }
  if (base.empty() || token.empty()) {
    return {};
  }
  return {{"ACTIONS_RESULTS_URL", base},
          {"ACTIONS_RUNTIME_URL", base + "/api/actions_pipeline/"},
          {"ACTIONS_RUNTIME_TOKEN", token}};
}

/// The task's github context without the runner-only entries (gitea_*) and the fields pipe
/// sets per job or per machine.
json github_context(const json& context) {
  json out = json::object();
  if (!context.is_object()) {
    return out;
  }
  for (const auto& [key, value] : context.items()) {
    if (key.rfind("gitea_", 0) == 0 || key == "workspace" || key == "job" || key.rfind("action", 0) == 0) {
      continue;
    }
    out[key] = value;
  }
  return out;
}

/// The environment every job of this runner gets: GITEA_ACTIONS, the config's envs, its env_file.
Result<std::string> write_runner_env(const fs::path& dir, const TaskSettings& settings) {
  const fs::path file = dir / "runner.env";
  std::ofstream out(file);
  out << "GITEA_ACTIONS=true\nGITEA_ACTIONS_RUNNER_VERSION=" << dotenv_quoted(settings.version) << "\n";
  for (const auto& [name, value] : settings.config->envs) {
    out << name << '=' << dotenv_quoted(value) << '\n';
  }
  if (!out.flush()) {
    return Error{"cannot write " + file.string()};
  }
  return file.string();
}

bool all_host(const std::vector<Label>& labels) {
  for (const auto& label : labels) {
    if (label.schema == LabelSchema::docker) {
      return false;
    }
  }
  return true;
}

/// The `pipe run` of the task: its workflow file, event, context, secrets, vars and needs.
Result<job::RunOptions> run_options(const Task& task, const TaskSettings& settings, const fs::path& dir,
                                       const TaskWorkflow& workflow) {
  job::RunOptions options;
  const fs::path workspace = dir / "workspace";
  fs::create_directories(workspace);
  const fs::path workflow_file = dir / "workflow.yml";
  std::ofstream(workflow_file) << workflow.yaml;
  const json event = task.context.is_object() && task.context.contains("event") ? task.context["event"] : json::object();
  std::ofstream(dir / "event.json") << event.dump();
  auto env_file = write_runner_env(dir, settings);
  if (!env_file) {
    return env_file.error();
  }
  options.directory = workspace.string();
  options.workflows = {workflow_file.string()};
  options.selection = job::WorkflowSelection::all;
  options.jobs = {workflow.job_id};
  options.event = context_text(task.context, "event_name");
  options.event_path = (dir / "event.json").string();
  options.backend = all_host(settings.labels) ? job::BackendChoice::host : job::BackendChoice::automatic;
  options.platforms = label_platforms(settings.labels);
  options.strict = true;
  options.output = job::OutputStyle::ci;
  options.privileged = settings.config->container.privileged;
  options.container_options = settings.config->container.options;
  options.container_network = settings.config->container.network;
  options.engine_socket = settings.config->container.docker_host != "-";
  options.actions_url = context_text(task.context, "gitea_default_actions_url");
  options.secret_files = {};
  options.env_files = {*env_file};
  if (!settings.config->env_file.empty() && fs::exists(settings.config->env_file)) {
    options.env_files.push_back(fs::absolute(settings.config->env_file).string());
  }
  options.var_files = {};
  for (const auto& [name, value] : task.secrets) {
    options.secrets.push_back(name + "=" + value);
  }
  for (const auto& [name, value] : task.vars) {
    options.vars.push_back(name + "=" + value);
  }
  options.github_context = github_context(task.context);
  options.forge_results_env = forge_results_env(task.context, settings.instance);
  options.protect_environments = false;  // the forge gave out the task: its deployment was approved there
  for (const auto& [id, need] : task.needs) {
    job::GivenNeed given;
    given.result = to_context_word(need.result);
    given.outputs.assign(need.outputs.begin(), need.outputs.end());
    options.given_needs[id] = std::move(given);
  }
  return options;
}

/// Writes the workflow's problems as rows, so the forge shows why the task failed.
bool report_load_problems(const std::string& workflow_file, const std::string& dir, TaskLog& log,
                          const output::Masker& masker) {
  const auto set = workflow::load_all({workflow_file}, dir);
  if (set.diagnostics.empty()) {
    return true;
  }
  const std::string text = workflow::format_diagnostics(set);
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    log.add_row(masker.mask(text.substr(start, end == std::string::npos ? std::string::npos : end - start)));
    start = end == std::string::npos ? text.size() : end + 1;
  }
  return set.workflows.size() == 1;
}

/// Cancels the job when it runs longer than the configured timeout.
class Watchdog {
public:
  Watchdog(engine::Interruption& interruption, std::chrono::milliseconds limit)
      : m_thread([this, &interruption, limit] {
          if (!m_done.wait_for(limit)) {
            interruption.interrupt(SIGALRM);
          }
        }) {}
  ~Watchdog() {
    m_done.cancel();
    m_thread.join();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

private:
  CancelToken m_done;
  std::thread m_thread;
};

TaskResult run_engine(const Task& task, const TaskSettings& settings, const fs::path& dir, TaskLog& log,
                      TaskReporter& reporter, engine::Interruption& interruption, const output::Masker& masker) {
  auto workflow = prepare_task_workflow(task.workflow_payload);
  if (!workflow) {
    log.add_row("pipe: " + workflow.error().message);
    return TaskResult::failure;
  }
  auto options = run_options(task, settings, dir, *workflow);
  if (!options) {
    log.add_row("pipe: " + options.error().message);
    return TaskResult::failure;
  }
  if (!report_load_problems(options->workflows.front(), options->directory, log, masker)) {
    return TaskResult::failure;
  }
  if (auto volumes = check_task_volumes(workflow->yaml, settings.config->container.valid_volumes); !volumes) {
    log.add_row(masker.mask("pipe: " + volumes.error().message));
    return TaskResult::failure;
  }
  // pipe checks out the current repository by using the workspace as it is: fill it from the
  // forge first. A job that never checks out does not pay for the clone.
  if (workflow->yaml.find("actions/checkout") != std::string::npos) {
    auto cloned = clone_task_repository(task.context, options->directory, context_text(task.context, "token"));
    log.add_row(masker.mask(cloned ? "pipe: fetched " + context_text(task.context, "repository") + " at " + *cloned
                                   : "pipe: " + cloned.error().message));
  }
  ForgeSink sink(log, reporter, masker);
  options->event_sinks = {&sink};
  options->on_job_outputs = [&log](const std::string&, const std::vector<std::pair<std::string, std::string>>& outputs) {
    log.set_outputs(StringMap(outputs.begin(), outputs.end()));
  };
  Watchdog watchdog(interruption, settings.config->timeout);
  const auto ran = job::run(*options, interruption);
  for (const auto& error : ran.errors) {
    log.add_row(masker.mask("pipe: error: " + error));
  }
  if (interruption.signal() != 0) {
    if (interruption.signal() == SIGALRM) {
      log.add_row("pipe: the job ran longer than the runner's timeout and was cancelled");
    }
    return TaskResult::cancelled;
  }
  if (auto result = sink.job_result()) {
    return *result;
  }
  return ran.status == k_exit_success ? TaskResult::success : TaskResult::failure;
}

}  // namespace

std::size_t task_step_count(const Task& task) {
  auto workflow = prepare_task_workflow(task.workflow_payload);
  return workflow ? workflow->step_count : 0;
}

TaskResult run_task(const Task& task, const TaskSettings& settings, TaskLog& log, TaskReporter& reporter,
                    engine::Interruption& interruption) {
  output::Masker masker;
  for (const auto& [name, value] : task.secrets) {
    (void)masker.add_secret(value);
  }
  for (const char* key : {"token", "gitea_runtime_token"}) {
    if (const auto token = context_text(task.context, key); !token.empty()) {
      (void)masker.add_secret(token);
    }
  }
  // Two tasks of one repository never share a workspace: each gets a directory of its own.
  const fs::path dir = settings.work_root / (owned_prefix(k_task_dir_prefix) + std::to_string(task.id));
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  TaskResult result = TaskResult::failure;
  try {
    result = run_engine(task, settings, dir, log, reporter, interruption, masker);
  } catch (const std::exception& e) {
    log.add_row(masker.mask(std::string("pipe: error: ") + e.what()));
  } catch (...) {
    log.add_row("pipe: error: the engine failed");
  }
  // The workspace, the run record and the generated files go with the task.
  fs::remove_all(dir, ec);
  return result;
}

}  // namespace pipeline::runner::forge
