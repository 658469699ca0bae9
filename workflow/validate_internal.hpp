#pragma once
// Internal to validation: one function per concern, all appending to the same list.
#include <string>
#include <vector>

#include "workflow/diagnostic.hpp"
#include "workflow/model.hpp"

namespace pipeline::workflow::detail {

/// Event names, filters, crons and inputs under `on:`.
void validate_triggers(const Workflow& wf, std::vector<Diagnostic>& out);

/// Each job on its own: ids, required keys, steps.
void validate_jobs(const Workflow& wf, std::vector<Diagnostic>& out);

/// `needs:` between jobs: unknown names and cycles.
void validate_needs(const Workflow& wf, std::vector<Diagnostic>& out);

/// A step that waits for or cancels background steps: nothing else may be on it.
void check_control_step(const Step& step, const std::string& label, std::vector<Diagnostic>& out);

/// `wait` and `cancel` name background steps that start earlier in the same job.
void check_background_references(const Job& job, std::vector<Diagnostic>& out);

/// Appends an error.
void report(std::vector<Diagnostic>& out, const SourceLocation& where, std::string message, std::string hint = "");

}  // namespace pipeline::workflow::detail
