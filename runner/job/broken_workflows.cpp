#include "runner/job/broken_workflows.hpp"

#include <algorithm>
#include <iostream>
#include <set>

namespace pipeline::runner::job {
namespace {

namespace fs = std::filesystem;

// The names load_all gives the files it reads, for the files that may fail alone.
std::set<std::string> files_failing_alone(const std::vector<fs::path>& paths, WorkflowSelection selection) {
  std::set<std::string> names;
  for (const auto& path : paths) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      if (selection == WorkflowSelection::all && fs::is_regular_file(path, ec)) {
        names.insert(path.generic_string());
      }
      continue;
    }
    for (const auto& file : workflow::find_workflow_files(path)) {
      names.insert((path / file.filename()).generic_string());
    }
  }
  return names;
}

std::string shown_name(const std::string& file, const fs::path& dir) {
  const fs::path relative = fs::path(file).lexically_relative(dir);
  if (relative.empty() || *relative.begin() == "..") {
    return file;
  }
  return relative.generic_string();
}

}  // namespace

LoadProblems sort_load_errors(const workflow::LoadedSet& set, const std::vector<fs::path>& paths,
                              WorkflowSelection selection) {
  const auto alone = files_failing_alone(paths, selection);
  LoadProblems problems;
  for (const auto& diagnostic : set.diagnostics) {
    if (diagnostic.severity != workflow::Severity::error) {
      continue;
    }
    if (alone.count(diagnostic.where.file) == 0) {
      problems.stop = true;
      continue;
    }
    auto it = std::find_if(problems.broken.begin(), problems.broken.end(),
                           [&](const BrokenWorkflow& b) { return b.path == diagnostic.where.file; });
    if (it == problems.broken.end()) {
      problems.broken.push_back({diagnostic.where.file, {}});
      it = std::prev(problems.broken.end());
    }
    it->errors.push_back(diagnostic);
  }
  return problems;
}

void report_broken(engine::Reporter& reporter, const std::vector<BrokenWorkflow>& broken, const fs::path& dir) {
  for (const auto& file : broken) {
    const std::string name = shown_name(file.path, dir);
    for (const auto& error : file.errors) {
      engine::Event event;
      event.kind = engine::EventKind::annotation;
      event.job = name;
      event.annotation.level = engine::AnnotationLevel::error;
      event.annotation.file = name;
      event.annotation.line = error.where.line;
      event.annotation.column = error.where.column;
      event.annotation.title = "Invalid workflow file";
      event.annotation.message = error.message;
      reporter.post(std::move(event));
    }
    engine::Event finished;
    finished.kind = engine::EventKind::job_finished;
    finished.job = name;
    finished.result = engine::NodeResult::failure;
    reporter.post(std::move(finished));
  }
}

LoadedWorkflows load_workflows(const RunOptions& given, const std::string& dir) {
  std::vector<fs::path> paths;
  for (const auto& w : given.workflows) {
    paths.push_back(fs::path(w).is_absolute() ? fs::path(w) : fs::path(dir) / w);
  }
  if (paths.empty()) {
    paths.push_back(fs::path(dir) / ".github" / "workflows");
  }
  LoadedWorkflows loaded{workflow::load_all(paths, dir), {}};
  if (!loaded.set.diagnostics.empty()) {
    std::cerr << workflow::format_diagnostics(loaded.set);
  }
  loaded.problems = sort_load_errors(loaded.set, paths, given.selection);
  if (loaded.problems.stop) {
    std::cerr << workflow::summary_line(loaded.set) << '\n';
  }
  return loaded;
}

}  // namespace pipeline::runner::job
