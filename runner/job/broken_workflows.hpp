#pragma once
// The load pass of `pipe run`, and the workflow files that do not load: as on GitHub, each fails
// on its own and the others still run.
#include <filesystem>
#include <string>
#include <vector>

#include "runner/engine/reporter.hpp"
#include "runner/job/run_options.hpp"
#include "workflow/loader.hpp"

namespace pipeline::runner::job {

/// A workflow file with errors, shown as a failed run of its own.
struct BrokenWorkflow {
  std::string path;                          // as its diagnostics name it
  std::vector<workflow::Diagnostic> errors;  // in file order
};

/// What the load pass found wrong: files that fail alone, or errors that stop the whole run.
struct LoadProblems {
  std::vector<BrokenWorkflow> broken;  // files found in a directory (or chosen by a hook)
  bool stop = false;                   // a file the user named, a missing path, an empty directory
};

/// Sorts the errors of `set` (loaded from `paths`): a file found by listing a directory fails
/// alone, so do the files a hook chose (`selection` all); an error anywhere else stops the run.
[[nodiscard]] LoadProblems sort_load_errors(const workflow::LoadedSet& set, const std::vector<std::filesystem::path>& paths,
                                            WorkflowSelection selection);

/// The workflows a run names (`.github/workflows` when none), loaded from the repository `dir`.
struct LoadedWorkflows {
  workflow::LoadedSet set;
  LoadProblems problems;
};

/// Loads every workflow `given` names, relative paths against `dir`, and writes every problem to
/// standard error (with the summary line when the run stops) before anything runs.
[[nodiscard]] LoadedWorkflows load_workflows(const RunOptions& given, const std::string& dir);

/// Posts each broken file as a failed job named after its path relative to `dir`, with one
/// error annotation per diagnostic, so the summary, the run record and the reports list it.
void report_broken(engine::Reporter& reporter, const std::vector<BrokenWorkflow>& broken, const std::filesystem::path& dir);

}  // namespace pipeline::runner::job
