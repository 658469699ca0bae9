#include "runner/hook/hook_run.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <system_error>

#include "runner/engine/ci_output.hpp"
#include "runner/hook/hook_config.hpp"
#include "runner/hook/job_images.hpp"
#include "runner/hook/scratch_dir.hpp"
#include "runner/hook/snapshot.hpp"
#include "runner/hook/warm_export.hpp"
#include "workflow/base/exit_code.hpp"
#include "workflow/filters/glob.hpp"
#include "workflow/loader.hpp"

namespace pipeline::runner::hook {
namespace {

namespace fs = std::filesystem;

/// What one hook invocation checks: the index, or one pushed commit.
struct Snapshot {
  std::string sha;  // empty: the index
  std::vector<std::string> changed;
};

std::vector<std::string> pattern_texts(const std::vector<workflow::Located<std::string>>& located) {
  std::vector<std::string> out;
  for (const auto& item : located) {
    out.push_back(item.value);
  }
  return out;
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "'" : ", '") + item + "'";
  }
  return out;
}

std::string job_display(const workflow::Job& job) { return job.name ? job.name->value : job.id.value; }

// The chosen jobs of `wf` (every job when none is chosen).
std::vector<const workflow::Job*> chosen_jobs(const workflow::Workflow& wf, const std::vector<std::string>& jobs) {
  std::vector<const workflow::Job*> out;
  for (const auto& job : wf.jobs) {
    if (jobs.empty() || std::find(jobs.begin(), jobs.end(), job.id.value) != jobs.end()) {
      out.push_back(&job);
    }
  }
  return out;
}

Result<std::size_t> export_snapshot(const fs::path& root, const Snapshot& snapshot, const fs::path& target,
                                    const ExportFilter& filter) {
  return snapshot.sha.empty() ? export_index(root, target, filter) : export_commit(root, snapshot.sha, target, filter);
}

// `hook.warm`, `hook.warm-idle` and `hook.backend` under the options; a value that makes no
// sense is a warning and the default stands.
void apply_warm_config(HookRunOptions& options, const HookConfig& config) {
  if (!options.warm && !config.warm.empty()) {
    if (config.warm != "true" && config.warm != "false") {
      std::cerr << "pipe: warning: hook.warm must be true or false, not '" << config.warm << "'\n";
    } else {
      options.warm = config.warm == "true";
    }
  }
  if (!options.warm_idle && !config.warm_idle.empty()) {
    char* end = nullptr;
    const long seconds = std::strtol(config.warm_idle.c_str(), &end, 10);
    if (end == config.warm_idle.c_str() || *end != '\0' || seconds <= 0) {
      std::cerr << "pipe: warning: hook.warm-idle must be a number of seconds, not '" << config.warm_idle << "'\n";
    } else {
      options.warm_idle = std::chrono::seconds(seconds);
    }
  }
  if (!options.backend && !config.backend.empty()) {
    if (config.backend != "host" && config.backend != "docker" && config.backend != "auto") {
      std::cerr << "pipe: warning: hook.backend must be host, docker or auto, not '" << config.backend << "'\n";
    } else {
      options.backend = config.backend == "host"     ? job::BackendChoice::host
                        : config.backend == "docker" ? job::BackendChoice::docker
                                                     : job::BackendChoice::automatic;
    }
  }
}

/// The options with every setting decided, and what the config says about images.
struct Settings {
  HookRunOptions options;
  std::vector<std::pair<std::string, std::string>> platforms;  // the config's `platforms:`
};

/// Applies the options, then the config file, then the defaults.
Settings resolve_settings(HookRunOptions options, const fs::path& root) {
  Settings settings;
  auto config = read_hook_config(root);
  if (!config) {
    std::cerr << "pipe: warning: " << config.error().message << "\n";
  } else {
    if (options.jobs.empty()) {
      options.jobs = config->jobs;
    }
    if (options.workflow.empty()) {
      options.workflow = config->workflow;
    }
    apply_warm_config(options, *config);
    settings.platforms = config->platforms;
  }
  // Asking for warm containers asks for containers: no silent fallback to the host then.
  const bool warm_asked = options.warm.value_or(false);
  options.backend = options.backend.value_or(warm_asked ? job::BackendChoice::docker : job::BackendChoice::automatic);
  options.warm = options.warm.value_or(true);
  options.warm_idle = options.warm_idle.value_or(k_default_warm_idle);
  // Warm containers are for jobs in containers; on the host there is nothing to keep warm.
  if (*options.backend == job::BackendChoice::host) {
    options.warm = false;
  }
  if (options.workflow.empty()) {
    options.workflow = ".github/workflows";
  }
  // Export filters and the loader see paths relative to the work tree root.
  fs::path workflow = fs::path(options.workflow).lexically_normal();
  if (workflow.is_absolute()) {
    workflow = workflow.lexically_relative(root);
  }
  options.workflow = workflow.string();
  while (options.workflow.size() > 1 && options.workflow.back() == '/') {
    options.workflow.pop_back();
  }
  settings.options = std::move(options);
  return settings;
}

/// The files of `set` with errors: the run prints their errors and fails each alone, as `pipe run`
/// does with a broken file in a directory, while the other workflows still run. An error that
/// is not in a file (an empty directory) refuses the hook.
Result<std::vector<std::string>> broken_files(const workflow::LoadedSet& set) {
  std::vector<std::string> files;
  for (const auto& diagnostic : set.diagnostics) {
    std::error_code ec;
    if (diagnostic.severity != workflow::Severity::error) {
      continue;
    }
    if (!fs::is_regular_file(diagnostic.where.file, ec)) {
      return Error{"the staged workflows have errors"};
    }
    if (std::find(files.begin(), files.end(), diagnostic.where.file) == files.end()) {
      files.push_back(diagnostic.where.file);
    }
  }
  return files;
}

/// The workflows a snapshot runs, and the images their jobs would run in.
struct Hooked {
  std::vector<std::string> paths;
  std::vector<JobImage> images;
};

/// Loads the snapshot's workflows and keeps the paths of those whose filters let the change
/// through, printing a line for each chosen job of the others.
Result<Hooked> workflows_to_run(const Settings& settings, const Snapshot& snapshot, const fs::path& export_dir) {
  const HookRunOptions& options = settings.options;
  const fs::path workflows = export_dir / options.workflow;
  std::error_code ec;
  if (!fs::exists(workflows, ec)) {
    return Hooked{};
  }
  const auto set = workflow::load_all({workflows}, export_dir);
  auto broken = broken_files(set);
  if (!broken) {
    std::cerr << workflow::format_diagnostics(set) << workflow::summary_line(set) << '\n';
    return broken.error();
  }
  Hooked kept{*broken, {}};
  for (const auto& wf : set.workflows) {
    const auto jobs = chosen_jobs(wf, options.jobs);
    if (jobs.empty()) {
      continue;
    }
    std::string why;
    if (paths_match(wf, snapshot.changed, why)) {
      kept.paths.push_back((export_dir / wf.path).lexically_normal().string());
      const auto images = job_images(wf, options.jobs, settings.platforms);
      kept.images.insert(kept.images.end(), images.begin(), images.end());
      continue;
    }
    for (const auto* job : jobs) {
      std::cout << engine::compact_job_line(job_display(*job), engine::NodeResult::skipped, why);
    }
  }
  return kept;
}

/// The backend the snapshot's jobs run on: the one chosen, else containers or (said once) the host.
job::BackendChoice backend_for(const HookRunOptions& options, const Hooked& hooked, DefaultBackend& fallback) {
  const job::BackendChoice chosen = options.backend.value_or(job::BackendChoice::automatic);
  if (chosen != job::BackendChoice::automatic) {
    return chosen;
  }
  auto decision = fallback.choose(hooked.images);
  if (!decision.notice.empty()) {
    std::cerr << decision.notice << "\n";
  }
  return decision.backend;
}

/// Where one snapshot is exported: the repository's stable directory for a warm hook (unless
/// another hook holds it), else a fresh scratch directory.
class ExportDir {
public:
  ExportDir(const HookRunOptions& options, const fs::path& root) {
    if (options.warm.value_or(false)) {
      m_warm.emplace(root);
      if (!m_warm->path().empty()) {
        return;
      }
      m_warm.reset();
    }
    auto bytes = index_bytes(root);
    m_scratch.emplace(bytes ? *bytes : 0);
  }
  [[nodiscard]] const fs::path& path() const { return m_warm ? m_warm->path() : m_scratch->path(); }
  [[nodiscard]] bool warm() const { return m_warm.has_value(); }

private:
  std::optional<WarmExport> m_warm;
  std::optional<ScratchDir> m_scratch;
};

int check_snapshot(const Settings& settings, const fs::path& root, const Snapshot& snapshot, const RunJobs& run_jobs,
                   DefaultBackend& fallback) {
  const HookRunOptions& options = settings.options;
  ExportDir temp(options, root);
  if (temp.path().empty()) {
    std::cerr << "pipe: error: cannot create a temporary directory\n";
    return k_exit_usage;
  }
  // Only the workflow files first: a change no filter matches ends here, cheaply.
  if (auto exported = export_snapshot(root, snapshot, temp.path(), {options.workflow}); !exported) {
    std::cerr << "pipe: error: " << exported.error().message << "\n";
    return k_exit_usage;
  }
  auto hooked = workflows_to_run(settings, snapshot, temp.path());
  if (!hooked) {
    std::cerr << "pipe: error: " << hooked.error().message << "\n";
    return k_exit_usage;
  }
  if (hooked->paths.empty()) {
    return k_exit_success;
  }
  if (auto exported = export_snapshot(root, snapshot, temp.path(), {}); !exported) {
    std::cerr << "pipe: error: " << exported.error().message << "\n";
    return k_exit_usage;
  }
  job::RunOptions run;
  run.directory = root.string();
  run.workflows = hooked->paths;
  run.jobs = options.jobs;
  run.event = "push";
  run.backend = backend_for(options, *hooked, fallback);
  run.workspace_override = temp.path().string();
  if (temp.warm() && run.backend != job::BackendChoice::host) {
    // Each hooked job's container stays for the next commit, bound to the same export directory.
    run.reuse = true;
    run.reuse_idle = options.warm_idle.value_or(k_default_warm_idle);
  }
  run.changed_files = snapshot.changed;
  run.selection = job::WorkflowSelection::all;
  run.output = job::OutputStyle::compact;
  return run_jobs(run);
}

Result<std::vector<Snapshot>> snapshots(const HookRunOptions& options, const fs::path& root, std::istream& input) {
  if (options.stage == Stage::pre_commit) {
    auto staged = staged_files(root);
    if (!staged) {
      return staged.error();
    }
    return std::vector<Snapshot>{{"", *staged}};
  }
  std::vector<Snapshot> out;
  for (const auto& push : parse_pre_push(input)) {
    auto changed = pushed_files(root, push);
    if (!changed) {
      return changed.error();
    }
    out.push_back({push.local_sha, *changed});
  }
  return out;
}

}  // namespace

bool paths_match(const workflow::Workflow& wf, const std::vector<std::string>& changed, std::string& why) {
  const workflow::Trigger* trigger = wf.find_trigger("push");
  trigger = trigger != nullptr ? trigger : wf.find_trigger("pull_request");
  if (trigger == nullptr) {
    return true;
  }
  const auto& f = trigger->filters;
  if (f.paths) {
    const auto patterns = pattern_texts(*f.paths);
    if (std::none_of(changed.begin(), changed.end(),
                     [&](const auto& file) { return workflow::filters::match_filters(patterns, file); })) {
      why = "no changed file matches paths " + quoted_list(patterns);
      return false;
    }
  }
  if (f.paths_ignore) {
    const auto patterns = pattern_texts(*f.paths_ignore);
    if (std::all_of(changed.begin(), changed.end(),
                    [&](const auto& file) { return workflow::filters::match_filters(patterns, file); })) {
      why = "every changed file matches paths-ignore " + quoted_list(patterns);
      return false;
    }
  }
  return true;
}

int run_hook(const HookRunOptions& options, std::istream& push_input, const RunJobs& run_jobs, EngineProbe* probe) {
  if (engine::env_flag("PIPE_SKIP")) {
    std::cerr << "pipe: hook skipped (PIPE_SKIP=1)\n";
    return k_exit_success;
  }
  auto root = work_tree_root(options.directory);
  if (!root) {
    std::cerr << "pipe: error: " << root.error().message << "\n";
    return k_exit_usage;
  }
  const Settings settings = resolve_settings(options, *root);
  auto all = snapshots(settings.options, *root, push_input);
  if (!all) {
    std::cerr << "pipe: error: " << all.error().message << "\n";
    return k_exit_usage;
  }
  // Connects only when a snapshot's jobs are left to the default and need an image.
  std::unique_ptr<EngineProbe> own_probe = probe == nullptr ? engine_probe() : nullptr;
  DefaultBackend fallback(probe != nullptr ? *probe : *own_probe);
  int worst = k_exit_success;
  for (const auto& snapshot : *all) {
    worst = std::max(worst, check_snapshot(settings, *root, snapshot, run_jobs, fallback));
    if (worst > k_exit_signal_base) {
      break;  // interrupted (128 + a signal): the user or the terminal wants the hook to end
    }
  }
  return worst;
}

}  // namespace pipeline::runner::hook
