// Steps of a job: if:, scripts, file commands, outcomes.
#include "runner/job/job_execution.hpp"
#include "runner/engine/shell.hpp"
#include "workflow/expr/explain.hpp"

namespace pipeline::runner::job::detail {

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
  if (step.is_control()) {
    return control_step_name(step);
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

// Like the runner, the job's defaults are evaluated once when the job starts, with the contexts
// of that moment (env is the workflow's and the job's); the workflow's apply unless the job's
// give a non-empty shell.
Result<void> JobExecution::evaluate_default_shell() {
  m_default_shell.reset();
  auto ctx = contexts(m_job_env);
  for (const auto* shell : {&m_instance.workflow->defaults.shell, &m_job.defaults.shell}) {
    if (!*shell) {
      continue;
    }
    auto value = evaluate_text((*shell)->value, ctx);
    if (!value) {
      return Error{where_prefix((*shell)->where) + value.error().message};
    }
    if (!value->empty()) {
      m_default_shell = workflow::Located<std::string>{std::move(*value), (*shell)->where};
    }
  }
  return {};
}

// The step's own `shell:` (an empty result falls back to the defaults, as on GitHub), checked
// here because only now is an expression's value known; the error names where it was written.
Result<std::string> JobExecution::step_shell(const Step& step, expr::MapContext& ctx) const {
  std::optional<workflow::Located<std::string>> shell;
  if (step.shell) {
    auto value = evaluate_text(step.shell->value, ctx);
    if (!value) {
      return Error{where_prefix(step.shell->where) + value.error().message};
    }
    if (!value->empty()) {
      shell = workflow::Located<std::string>{std::move(*value), step.shell->where};
    }
  }
  if (!shell && !m_scope->composite) {  // job and workflow defaults do not reach into a composite action
    shell = m_default_shell;
  }
  if (!shell) {
    return std::string();
  }
  if (auto valid = engine::resolve_shell(shell->value, engine::ShellPlacement::host, engine::BashAvailability::present); !valid) {
    return Error{where_prefix(shell->where) + valid.error().message + " (the shell is '" + shell->value + "')"};
  }
  return shell->value;
}

void JobExecution::read_file_commands(const FileCommandPaths& files, const std::string& name, StepContextEntry& record,
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
      engine::Event event;
      event.kind = engine::EventKind::step_summary;
      event.job = m_name;
      event.step = name;
      event.text = std::move(summary.markdown);  // the reporter masks it
      m_run.reporter->post(std::move(event));
    }
  }
}

Result<engine::NodeResult> JobExecution::run_script_step(const Step& step, const std::string& name, std::size_t index,
                                                  expr::MapContext& ctx, EnvList& step_env) {
  auto script = evaluate_text(step.run->value, ctx);
  if (!script) {
    return Error{where_prefix(step.run->where) + script.error().message};
  }
  auto shell = step_shell(step, ctx);
  if (!shell) {
    return shell.error();
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
  engine::ScriptStep script_step;
  script_step.shell = *shell;
  script_step.script = *script;
  script_step.cwd = cwd;
  return execute_script(step, name, m_scope->steps[index], ctx, step_env, script_step, action_id);
}

Result<engine::NodeResult> JobExecution::execute_script(const Step& step, const std::string& name, StepContextEntry& record,
                                                expr::MapContext& ctx, const EnvList& step_env,
                                                const engine::ScriptStep& script, const std::string& action_id) {
  // Captured by value: a background step's process outlives this call.
  return execute_step(step, name, record, ctx, step_env, action_id, [this, script](const engine::ScriptStep& prepared,
                                                                                   OutputSink& sink) {
    engine::ScriptStep script_step = prepared;
    script_step.shell = script.shell;
    script_step.script = script.script;
    script_step.cwd = script.cwd;
    JobEnv exec_env = *m_env;
    exec_env.in_container = m_placement.job_container;  // a VM-like job keeps GitHub's VM shell default
    return engine::run_script(*m_placement.backend, exec_env, script_step, sink);
  });
}

Result<engine::NodeResult> JobExecution::execute_step(const Step& step, const std::string& name, StepContextEntry& record,
                                              expr::MapContext& ctx, const EnvList& step_env,
                                              const std::string& action_id, const StepProcess& process) {
  auto files = create_file_commands();
  if (!files) {
    return files.error();
  }
  double minutes = 0;
  engine::ScriptStep script_step;
  script_step.env = process_env(step_env, *files, action_id);
  script_step.timeout = step_timeout(step, ctx, minutes);
  // Decided when the step's condition was evaluated, not here: a cancel arriving while the step
  // is being prepared must still stop it.
  script_step.cancel = m_step_after_cancel ? m_run.hard_cancel : &m_cancel;

  output::CommandSettings settings;
  const std::string* unsecure = find_env(script_step.env, "ACTIONS_ALLOW_UNSECURE_COMMANDS");
  settings.allow_unsecure_commands = unsecure && *unsecure == "true";
  const std::string* debug = find_env(script_step.env, "ACTIONS_STEP_DEBUG");
  const bool show_debug = m_run.options->verbose || (debug && *debug == "true");
  settings.echo = show_debug;
  auto sink = std::make_shared<StepReporter>(*m_run.reporter, *m_run.masker, m_name, name, settings,
                                           show_debug ? DebugLines::show : DebugLines::hide);
  if (m_launching) {
    launch_background(*m_launching, process, script_step, sink, *files, minutes);
    return engine::NodeResult::success;  // not known yet: the step that waits for it reads the process's end
  }
  auto status = process(script_step, *sink);
  return finish_process(status, *sink, *files, record, name, minutes);
}

Result<engine::NodeResult> JobExecution::finish_process(const Result<ExitStatus>& status, StepReporter& sink,
                                                const FileCommandPaths& files, StepContextEntry& record,
                                                const std::string& name, double minutes) {
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
  read_file_commands(files, name, record, failed);
  if (status->timed_out) {
    if (minutes > 0 && Clock::now() < m_deadline) {
      fail(name, "The action '" + name + "' has timed out after " + expr::format_number(minutes) + " minutes.");
    } else {
      fail(name, "The job running on runner pipe has exceeded the maximum execution time of " +
                     expr::format_number(m_job_timeout_minutes) + " minutes.");
      m_cancel.cancel();
    }
    return engine::NodeResult::failure;
  }
  if (status->cancelled) {
    fail(name, "The operation was canceled.");
    return engine::NodeResult::cancelled;
  }
  if (status->code != 0) {
    fail(name, engine::process_exit_message(status->code));
    return engine::NodeResult::failure;
  }
  return failed ? engine::NodeResult::failure : engine::NodeResult::success;
}

void JobExecution::post_step_started(const std::string& name, int index) {
  engine::Event begin;
  begin.kind = engine::EventKind::step_started;
  begin.job = m_name;
  begin.step = name;
  begin.step_index = index;
  m_run.reporter->post(std::move(begin));
}

void JobExecution::finish_step(const std::string& name, engine::NodeResult result, Clock::time_point started, int index) {
  engine::Event event;
  event.kind = engine::EventKind::step_finished;
  event.job = m_name;
  event.step = name;
  event.step_index = index;
  event.result = result;
  event.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  m_run.reporter->post(std::move(event));
}

void JobExecution::explain_skip(const Step& step, const std::string& name, expr::MapContext& ctx) {
  const std::string condition = step.if_condition ? step.if_condition->value : "";
  const std::string operands = expr::format_operands(expr::explain_operands(condition, ctx));
  const engine::NodeResult status = m_cancel.cancelled() ? engine::NodeResult::cancelled
                            : m_failed           ? engine::NodeResult::failure
                                                 : engine::NodeResult::success;
  notice("skipped: if: " + (condition.empty() ? std::string("success()") : condition) +
             " was false (job status: " + result_word(status) + ")" + (operands.empty() ? "" : " with " + operands),
         name);
}

void JobExecution::run_step(const Step& step, std::size_t index) {
  const auto started = Clock::now();
  StepContextEntry& record = m_scope->steps[index];
  record.id = step.id ? step.id->value : "";
  const bool inner = m_scope->composite;
  if (m_run.hard_cancel->cancelled()) {
    record.outcome = record.conclusion = "cancelled";
    return;
  }
  // GitHub's runner evaluates a step's own env: before its if:, so the condition, the name and
  // everything after see it; a composite's steps see the calling step's env the same way.
  auto ctx = contexts(scope_env());
  EnvList step_env = m_scope->env;
  auto env_ok = evaluate_env(step.env, ctx, step_env);
  if (env_ok) {
    ctx = contexts(overlay(m_job_env, step_env));
  }
  const std::string name = inner ? m_scope->display : step_name(step, ctx);
  m_step_after_cancel = m_cancel.cancelled();
  if (env_ok) {
    auto run_it = should_run(step, ctx);
    if (!run_it || !*run_it) {
      if (!run_it) {
        fail(name, run_it.error().message);
        m_failed = true;
      } else if (m_run.options->explain) {
        explain_skip(step, name, ctx);
      }
      record.outcome = record.conclusion = "skipped";
      if (!inner) {
        finish_step(name, engine::NodeResult::skipped, started, static_cast<int>(index));
      }
      return;
    }
  }
  if (!inner) {
    post_step_started(name, static_cast<int>(index));
  }

  engine::NodeResult result = engine::NodeResult::success;
  if (inner) {
    set_env(step_env, "GITHUB_ACTION_PATH", m_scope->action->dir);
    set_env(step_env, "GITHUB_ACTION_REPOSITORY", m_scope->action->repository);
    set_env(step_env, "GITHUB_ACTION_REF", m_scope->action->ref);
  }
  if (!env_ok) {
    fail(name, env_ok.error().message);
    result = engine::NodeResult::failure;
  } else if (step.is_control()) {
    result = run_control_step(step);
  } else if (step.run && step.background && !inner) {
    if (start_background(step, name, index, ctx, step_env, started)) {
      return;  // the step that waits for it, or the end of the job, records how it ended
    }
    result = engine::NodeResult::failure;
  } else if (step.run) {
    auto ran = run_script_step(step, name, index, ctx, step_env);
    if (!ran) {
      fail(name, ran.error().message);
      result = engine::NodeResult::failure;
    } else {
      result = *ran;
    }
  } else if (step.uses) {
    auto ran = run_action_step(step, name, index, ctx, step_env);
    if (!ran) {
      fail(name, ran.error().message);
      result = engine::NodeResult::failure;
    } else {
      result = *ran;
    }
  }
  record.outcome = result_word(result);
  const bool tolerated = result == engine::NodeResult::failure && continue_on_error(step.continue_on_error, ctx);
  record.conclusion = tolerated ? "success" : record.outcome;
  if (result == engine::NodeResult::failure && !tolerated) {
    m_failed = true;
  }
  if (!inner) {
    finish_step(name, result, started, static_cast<int>(index));
  }
}

}  // namespace pipeline::runner::job::detail
