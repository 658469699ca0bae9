#include "runner/job/run.hpp"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <unistd.h>

#include "actions/resolver.hpp"
#include "runner/engine/interruption.hpp"
#include "runner/job/broken_workflows.hpp"
#include "runner/job/environments.hpp"
#include "runner/job/job_services.hpp"
#include "runner/job/placement.hpp"
#include "runner/job/resolved_run.hpp"
#include "runner/job/reusable.hpp"
#include "runner/job/run_plan.hpp"
#include "runner/job/run_report.hpp"
#include "runner/job/run_schedule.hpp"
#include "runner/job/run_select.hpp"
#include "runner/job/vault_secrets.hpp"
#include "runner/job/warm_demand.hpp"

namespace pipeline::runner::job {

namespace expr = workflow::expr;

namespace {

/// A run that stopped before any job ran: bad input, said in `message` when it is not said yet.
RunResult stopped(std::string message = {}) {
  RunResult result;
  result.status = k_exit_usage;
  if (!message.empty()) {
    result.errors.push_back(std::move(message));
  }
  return result;
}

/// The `secrets` context and the GITHUB_TOKEN of a run, every value added to the masker first.
struct SecretValues {
  expr::Value context = expr::Value::object();
  std::string token;
};

SecretValues mask_secrets(const std::vector<SecretEntry>& secrets, RunOutput& output) {
  SecretValues out;
  for (const auto& s : secrets) {
    if (output.masker.add_secret(s.value) == output::AddResult::too_short) {
      engine::post_notice(*output.reporter, "warning: " + output::too_short_warning(s.name));
    }
    out.context.set(s.name, s.value);
    if (s.name == "GITHUB_TOKEN") {
      out.token = s.value;
    }
  }
  return out;
}

/// Keeps the workflows the event starts and adds their jobs to the scheduler.
Result<void> select_and_plan(const workflow::LoadedSet& set, const ResolvedRun& run, engine::Reporter& reporter,
                             Plan& plan, engine::Scheduler& scheduler) {
  auto selected = select_workflows(set, run, reporter);
  if (!selected) {
    return selected.error();
  }
  plan.workflows = std::move(*selected);
  return add_nodes(plan, scheduler);
}

/// What every job of the run shares; the github context is the first selected workflow's.
RunState run_state(const ResolvedRun& run, RunOutput& output, const Plan& plan, const SecretValues& secrets,
                   CancelToken& hard_cancel, actions::Resolver& resolver) {
  RunState state;
  state.options = &run.options;
  state.run_id = output.run_id;
  state.run_number_id = std::to_string(std::chrono::system_clock::now().time_since_epoch() / std::chrono::seconds(1));
  state.workspace = run.workspace;
  state.secrets = secrets.context;
  state.vars = string_map(run.vars);
  state.env_file = run.env_file;
  state.masker = &output.masker;
  state.reporter = output.reporter.get();
  state.hard_cancel = &hard_cancel;
  state.resolver = &resolver;
  state.called_workflows = std::make_shared<CalledWorkflows>();
  if (run.options.warm) {
    state.warm_demand = std::make_shared<WarmDemand>();
  }
  if (!plan.workflows.empty()) {
    const auto& first = plan.workflows.front();
    state.github = github_context(run.repo, first.event, first.payload, state.run_number_id, *first.workflow,
                                  secrets.token);
    if (run.options.github_context) {
      state.github.update(*run.options.github_context);
    }
    state.inputs = first.inputs;
  }
  return state;
}

/// A dry run ends with the plan: the jobs and the workflows they call, nothing run.
RunResult print_dry_run(const Plan& plan, const PlannedCalls& calls, RunOutput& output, bool broken_workflows,
                        engine::Interruption& interruption) {
  output.reporter->stop();
  print_plan(plan, calls.jobs, output.masker);  // a failed stream writes nothing more
  if (!(std::cout << std::flush)) {
    interruption.interrupt(engine::closed_output_signal(STDOUT_FILENO));
  }
  return ended_run(broken_workflows, interruption, false);
}

/// Gives the jobs their backends through `placer`, and the run's services (artifacts, cache)
/// when it keeps a record.
void connect_backends(RunState& state, Placer& placer, const ResolvedRun& run, const RunOutput& output) {
  placer.probe();
  state.container_actions = [&placer] { return placer.docker_for_actions(); };
  state.place = [&placer](const std::vector<std::string>& labels, const std::string& image) {
    return placer.place(labels, image);
  };
  if (!output.record) {
    return;
  }
  const RunOptions& options = run.options;
  // A forge's task names its repository; its workspace is a fresh folder each time.
  const std::string cache_repository = options.github_context && options.github_context->is_object()
                                           ? options.github_context->value("repository", run.repo.repository)
                                           : run.repo.repository;
  state.services = std::make_shared<JobServices>(
      output.run_id, artifacts_dir(options.artifact_dir, run.dir, output.record->dir(), output.run_id),
      [&placer, &options] {
        // Only container jobs need the gateway: a host-only run never connects to an engine for it.
        return options.backend == BackendChoice::host ? std::string() : container_gateway(placer.docker_for_actions());
      },
      options.cache_dir, cache_scope(cache_repository, run.repo.workspace, state.github, run.repo.default_branch));
  state.services->use_forge_results(options.forge_results_env);
}

}  // namespace

// The passes of a run, in order; each one only reads what the ones before it produced.
RunResult run(const RunOptions& given, engine::Interruption& interruption, const RunBackends& backends) {
  const auto started = std::chrono::steady_clock::now();
  // load: every workflow, with every problem reported before anything runs. A file found in a
  // directory that does not load fails alone, as on GitHub; any other error stops the run.
  const LoadedWorkflows loaded = load_workflows(given, repository_dir(given));
  if (loaded.problems.stop) {
    return stopped();
  }
  // resolve: config, repository, secrets, variables, env files, in one value.
  const auto resolved = resolve_run(given);
  if (!resolved) {
    return stopped(resolved.error().message);
  }
  const RunOptions& options = resolved->options;
  auto engine = connect_engine_early(options);
  // report (opening): one thread owns the terminal; a run record keeps logs and results.
  RunOutput output(options, resolved->dir, interruption);
  // select: the workflows this event starts, and why the others do not run; a broken file
  // cannot say which events start it, so it is reported as failed whatever the event.
  report_broken(*output.reporter, loaded.problems.broken, resolved->workspace);
  Plan plan;
  engine::Scheduler scheduler(worker_count(options));
  if (auto planned = select_and_plan(loaded.set, *resolved, *output.reporter, plan, scheduler); !planned) {
    output.reporter->stop();
    return stopped(planned.error().message);
  }
  // secrets: read once the jobs are known, so Vault is asked only for names some job can read.
  // A dry run has no side effects: Vault is not asked (its lines are still checked), nor the terminal.
  const SecretReach reach = options.dry_run ? SecretReach::local_only : SecretReach::everywhere;
  const workflow::SecretRefs needs = secrets_needed(options, plan.workflows);
  auto collected = collect_secrets(options, resolved->dir, reach, &needs);
  if (!collected) {
    output.reporter->stop();
    if (output.record) {
      std::error_code ec;
      std::filesystem::remove_all(output.record->dir(), ec);  // nothing ran: there is nothing to keep
    }
    return stopped(collected.error().message);
  }
  const SecretValues secrets = mask_secrets(*collected, output);
  output.token_hint.set_token_given(!secrets.token.empty());
  actions::Resolver resolver(resolved->resolver);
  RunState state = run_state(*resolved, output, plan, secrets, interruption.hard(), resolver);
  state.environments = std::make_shared<Environments>(options, resolved->dir, reach, needs, *collected);
  // plan: the workflows jobs call, followed now so a called workflow asking for more permissions
  // than its caller holds stops the run before anything starts.
  const auto calls = plan_all_calls(plan, state);
  if (!calls.errors.empty()) {
    output.reporter->stop();
    std::cerr << calls.errors;
    if (output.record) {
      std::error_code ec;
      std::filesystem::remove_all(output.record->dir(), ec);  // nothing ran: there is nothing to keep
    }
    return stopped();
  }
  const bool broken = !loaded.problems.broken.empty();
  if (options.dry_run) {
    return print_dry_run(plan, calls, output, broken, interruption);
  }
  if (plan.jobs.empty()) {
    engine::post_notice(*output.reporter, "nothing to run");
  }
  // schedule: each job starts as soon as its own needs have ended.
  Placer placer(options, *output.reporter, "", std::move(engine), backends);
  connect_backends(state, placer, *resolved, output);
  if (output.record && !plan.workflows.empty()) {
    (void)output.record->write_event_json(plan.workflows.front().payload);
  }
  auto reports = schedule_jobs(options, state, plan, scheduler, interruption.cancel());
  placer.finish();
  output.reporter->stop();
  // report: the summary, the exit status, the run record.
  return report_run(options, output, {std::move(reports), broken, std::move(state.services), started}, interruption);
}

}  // namespace pipeline::runner::job
