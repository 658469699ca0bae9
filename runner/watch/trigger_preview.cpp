#include "runner/watch/trigger_preview.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include "runner/git/git_context.hpp"
#include "runner/job/run_select.hpp"
#include "runner/watch/ignore_rules.hpp"
#include "workflow/loader.hpp"
#include "workflow/plan/triggers.hpp"

namespace pipeline::runner::watch {
namespace {

namespace fs = std::filesystem;

std::string shown(const fs::path& dir, const std::string& path) {
  const auto inside = relative_inside(dir, fs::path(path).is_absolute() ? fs::path(path) : dir / path);
  return inside.empty() ? path : inside;
}

bool has_any_job(const workflow::Workflow& wf, const std::vector<std::string>& jobs) {
  return jobs.empty() || std::any_of(jobs.begin(), jobs.end(), [&](const auto& id) { return wf.find_job(id) != nullptr; });
}

}  // namespace

std::vector<std::string> preview_workflows(const job::RunOptions& options, const ChangedFiles& changed) {
  const fs::path dir = fs::absolute(options.directory).lexically_normal();
  std::vector<fs::path> paths;
  for (const auto& w : options.workflows) {
    paths.push_back(fs::path(w).is_absolute() ? fs::path(w) : dir / w);
  }
  if (paths.empty()) {
    paths.push_back(dir / ".github" / "workflows");
  }
  const auto set = workflow::load_all(paths, dir);
  auto repo = git::read_repository(dir);
  const git::RepoInfo repo_info = repo ? *repo : git::RepoInfo{};
  const auto files = changed ? *changed : job::tree_changed_files(dir.string());
  std::vector<std::string> out;
  for (const auto& wf : set.workflows) {
    const bool runs = options.selection == job::WorkflowSelection::all ||
                      workflow::plan::match_trigger(wf, job::simulated_event(wf, options, repo_info, files)).runs;
    if (runs && has_any_job(wf, options.jobs)) {
      out.push_back(shown(dir, wf.path));
    }
  }
  std::set<std::string> broken;
  for (const auto& d : set.diagnostics) {
    if (d.severity == workflow::Severity::error) {
      broken.insert(shown(dir, d.where.file));
    }
  }
  for (const auto& file : broken) {
    if (std::find(files.begin(), files.end(), file) != files.end()) {
      out.push_back(file + " (does not load)");
    }
  }
  return out;
}

}  // namespace pipeline::runner::watch
