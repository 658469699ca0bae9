// Checks of background steps and of the steps that wait for or cancel them.
#include <map>

#include "workflow/parse_context.hpp"
#include "workflow/validate_internal.hpp"

namespace pipeline::workflow::detail {
namespace {

std::string control_key(const Step& step) {
  if (!step.wait.empty()) {
    return "wait";
  }
  if (step.wait_all) {
    return "wait-all";
  }
  return "cancel";
}

// The keys a waiting or cancelling step may not have, with where each is written.
std::vector<std::pair<std::string, SourceLocation>> running_keys(const Step& step) {
  std::vector<std::pair<std::string, SourceLocation>> keys;
  if (step.run) {
    keys.emplace_back("run", step.run->where);
  }
  if (step.uses) {
    keys.emplace_back("uses", step.uses->where);
  }
  if (step.with) {
    keys.emplace_back("with", step.with->where);
  }
  if (step.env) {
    keys.emplace_back("env", step.env->where);
  }
  if (step.shell) {
    keys.emplace_back("shell", step.shell->where);
  }
  if (step.working_directory) {
    keys.emplace_back("working-directory", step.working_directory->where);
  }
  if (step.background) {
    keys.emplace_back("background", step.where);
  }
  return keys;
}

// `label` already names the step; `key` is `wait` or `cancel`.
void check_reference(const Located<std::string>& id, const std::string& key, const std::string& label,
                     const std::map<std::string, bool>& earlier, std::vector<Diagnostic>& out) {
  const auto found = earlier.find(id.value);
  if (found != earlier.end() && found->second) {
    return;
  }
  std::vector<std::string> background;
  for (const auto& [name, is_background] : earlier) {
    if (is_background) {
      background.push_back(name);
    }
  }
  std::string hint;
  if (const std::string near = closest_match(id.value, background); !near.empty()) {
    hint = "did you mean '" + near + "'?";
  } else if (background.empty()) {
    hint = "no earlier step of this job has an id and 'background: true'";
  }
  if (found != earlier.end()) {
    report(out, id.where, "'" + key + "' in " + label + " names step '" + id.value + "', which does not run in the background",
           "add 'background: true' to step '" + id.value + "'");
    return;
  }
  report(out, id.where, "'" + key + "' in " + label + " names '" + id.value + "', which is not an earlier step of the job",
         hint);
}

}  // namespace

void check_control_step(const Step& step, const std::string& label, std::vector<Diagnostic>& out) {
  if (!step.wait_indices.empty()) {
    return;  // the closing wait of a `parallel` group, written by no one
  }
  const int kinds = (step.wait.empty() ? 0 : 1) + (step.wait_all ? 1 : 0) + (step.cancel ? 1 : 0);
  const std::string key = control_key(step);
  if (kinds > 1) {
    report(out, step.where, label + " combines 'wait', 'wait-all' and 'cancel'",
           "a step either waits for named steps, waits for all of them, or cancels one; use one step for each");
  }
  for (const auto& [other, where] : running_keys(step)) {
    report(out, where, label + " has '" + key + "', so it cannot have '" + other + "'",
           "a '" + key + "' step runs nothing; put the work in a step of its own");
  }
}

void check_background_references(const Job& job, std::vector<Diagnostic>& out) {
  std::map<std::string, bool> earlier;  // id -> whether that step runs in the background
  for (const auto& step : job.steps) {
    const std::string label = "step " + std::to_string(step.index + 1) + " of job '" + job.id.value + "'";
    for (const auto& id : step.wait) {
      check_reference(id, "wait", label, earlier, out);
    }
    if (step.cancel) {
      check_reference(*step.cancel, "cancel", label, earlier, out);
    }
    if (step.id) {
      earlier.emplace(step.id->value, step.background);
    }
  }
}

}  // namespace pipeline::workflow::detail
