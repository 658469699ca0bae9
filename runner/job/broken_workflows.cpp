#include "runner/job/broken_workflows.hpp"

#include <algorithm>
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

}  // namespace pipeline::runner::job
