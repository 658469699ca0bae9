// Background steps: a `run` step with `background: true` (or in a `parallel` group) starts its
// process on a thread of its own and the job moves on; `wait`, `wait-all`, `cancel` and the end of
// the job join it. Only the process runs on that thread: its output goes through its own
// StepReporter (masker and reporter are shared and locked), while everything that touches the job's
// state (outputs, GITHUB_ENV, the steps context, the job's result) happens on the job's thread
// when the step is joined.
#include <future>

#include "runner/job/job_execution.hpp"

namespace pipeline::runner::job::detail {

struct BackgroundStep {
  const Step* step = nullptr;
  std::size_t index = 0;
  std::string name;
  Clock::time_point started;
  bool tolerated = false;  // continue-on-error, evaluated when it started
  bool cancel_requested = false;
  bool joined = false;
  CancelToken cancel;
  std::shared_ptr<StepReporter> sink;
  FileCommandPaths files;
  double minutes = 0;
  std::future<Result<ExitStatus>> status;
};

namespace {

// How often a join looks at the job's own cancellation while the step's process runs.
constexpr auto k_poll = std::chrono::milliseconds(100);

}  // namespace

std::string control_step_name(const Step& step) {
  if (step.cancel) {
    return "Cancel " + step.cancel->value;
  }
  if (step.wait_all) {
    return "Wait for all background steps";
  }
  if (!step.wait_indices.empty()) {
    return "Wait for the parallel steps";
  }
  std::string names;
  for (const auto& id : step.wait) {
    names += (names.empty() ? "" : ", ") + id.value;
  }
  return "Wait for " + names;
}

bool JobExecution::start_background(const Step& step, const std::string& name, std::size_t index,
                                    expr::MapContext& ctx, EnvList& step_env, Clock::time_point started) {
  auto background = std::make_shared<BackgroundStep>();
  background->step = &step;
  background->index = index;
  background->name = name;
  background->started = started;
  background->tolerated = continue_on_error(step.continue_on_error, ctx);
  m_launching = background.get();
  auto launched = run_script_step(step, name, index, ctx, step_env);
  m_launching = nullptr;
  if (!launched) {
    fail(name, launched.error().message);
    return false;
  }
  if (!background->status.valid()) {
    return false;  // failed before its process could start (reported by execute_step)
  }
  m_background.push_back(std::move(background));
  return true;
}

void JobExecution::launch_background(BackgroundStep& background, const StepProcess& process,
                                     const engine::ScriptStep& prepared, const std::shared_ptr<StepReporter>& sink,
                                     const FileCommandPaths& files, double minutes) {
  engine::ScriptStep script_step = prepared;
  script_step.cancel = &background.cancel;  // `cancel:` and the job's cancellation both reach it through this
  background.sink = sink;
  background.files = files;
  background.minutes = minutes;
  background.status = std::async(std::launch::async, [process, script_step, sink] {
    return process(script_step, *sink);
  });
}

void JobExecution::join_background(BackgroundStep& background) {
  if (background.joined) {
    return;
  }
  background.joined = true;
  while (background.status.wait_for(k_poll) != std::future_status::ready) {
    // A step that started after the job was cancelled (if: always()) only stops on a hard cancel.
    if (m_run.hard_cancel->cancelled() || m_cancel.cancelled()) {
      background.cancel.cancel();
    }
  }
  StepContextEntry& record = m_scope->steps[background.index];
  auto ended = finish_process(background.status.get(), *background.sink, background.files, record,
                              background.name, background.minutes);
  if (!ended) {
    fail(background.name, ended.error().message);
  }
  engine::NodeResult result = ended ? *ended : engine::NodeResult::failure;
  record.outcome = result_word(result);
  const bool stopped = background.cancel_requested && result == engine::NodeResult::cancelled;
  const bool tolerated = result == engine::NodeResult::failure && background.tolerated;
  record.conclusion = tolerated ? "success" : record.outcome;
  if (result == engine::NodeResult::failure && !tolerated) {
    m_failed = true;
  }
  // Stopped on purpose by `cancel:`, it does not fail the job.
  finish_step(background.name, stopped ? engine::NodeResult::cancelled : result, background.started);
}

void JobExecution::join_all_background() {
  for (auto& background : m_background) {
    join_background(*background);
  }
}

engine::NodeResult JobExecution::run_control_step(const Step& step) {
  auto named = [&](const std::string& id) -> BackgroundStep* {
    for (auto& background : m_background) {
      if (background->step->id && background->step->id->value == id) {
        return background.get();
      }
    }
    return nullptr;  // never started (skipped by its `if:`), or not a background step
  };
  if (step.wait_all) {
    join_all_background();
  }
  for (const auto& id : step.wait) {
    if (auto* background = named(id.value)) {
      join_background(*background);
    }
  }
  for (const std::size_t index : step.wait_indices) {
    for (auto& background : m_background) {
      if (background->index == index) {
        join_background(*background);
      }
    }
  }
  if (step.cancel) {
    if (auto* background = named(step.cancel->value); background && !background->joined) {
      background->cancel_requested = true;
      background->cancel.cancel();
      join_background(*background);
    }
  }
  return engine::NodeResult::success;
}

}  // namespace pipeline::runner::job::detail
