// Checks of each job and its steps.
#include <cstdlib>
#include <string_view>
#include <map>
#include <set>

#include "workflow/parse_context.hpp"
#include "workflow/template_node.hpp"
#include "workflow/validate.hpp"
#include "workflow/validate_internal.hpp"

namespace pipeline::workflow::detail {
namespace {

std::string step_label(const Step& step, const Job& job) {
  return "step " + std::to_string(step.index + 1) + " of job '" + job.id.value + "'";
}

void check_shell(const Located<std::string>& shell, std::vector<Diagnostic>& out) {
  if (is_valid_shell(shell.value)) {
    return;
  }
  const std::string near = closest_match(shell.value, {"bash", "sh", "pwsh", "python", "cmd", "powershell"});
  report(out, shell.where, "invalid shell '" + shell.value + "'",
         near.empty() ? "use bash, sh, pwsh, python, cmd, powershell, or a command with '{0}' for the script path"
                      : "did you mean '" + near + "'?");
}

// GitHub takes an expression only in `jobs.<id>.defaults.run.shell`. pipe evaluates one in a
// step's `shell` and in the workflow's defaults too, but says so: GitHub would refuse the file.
void warn_expression_shell(const Located<std::string>& shell, std::string_view key, std::vector<Diagnostic>& out) {
  if (shell.value.find("${{") == std::string::npos) {
    return;
  }
  out.push_back({Severity::warning, shell.where,
                 "GitHub refuses an expression in " + std::string(key) + " (pipe evaluates it)",
                 "to keep the workflow valid on GitHub, put it in the job's 'defaults.run.shell'"});
}

void check_number(const std::optional<Node>& value, std::string_view key, std::vector<Diagnostic>& out) {
  if (!value || value->kind == Node::Kind::number ||
      (value->kind == Node::Kind::string && is_whole_expression(value->scalar))) {
    return;
  }
  report(out, value->where, "'" + std::string(key) + "' must be a number or an expression, not " +
                                std::string(value->is_scalar() ? "'" + value->scalar + "'" : "a list or mapping"));
}

/// Whether a YAML 1.2 core-schema number (decimal, 0x hex, 0o octal, .inf, .nan) is above zero.
bool is_positive_number(const std::string& scalar) {
  if (scalar.starts_with('-') || scalar == ".nan" || scalar == ".NaN" || scalar == ".NAN") {
    return false;
  }
  const std::string digits = scalar.starts_with('+') ? scalar.substr(1) : scalar;
  if (digits.starts_with(".inf") || digits.starts_with(".Inf") || digits.starts_with(".INF")) {
    return true;
  }
  if (digits.starts_with("0o")) {
    return std::strtoll(digits.c_str() + 2, nullptr, 8) > 0;
  }
  return std::strtod(digits.c_str(), nullptr) > 0;  // decimal and 0x hex
}

// GitHub refuses a timeout or a parallelism of zero or less; an expression is only known at run time.
void check_positive(const std::optional<Node>& value, std::string_view key, std::vector<Diagnostic>& out) {
  if (value && value->kind == Node::Kind::number && !is_positive_number(value->scalar)) {
    report(out, value->where, "'" + std::string(key) + "' must be greater than zero, not " + value->scalar);
  }
}

void check_boolean(const std::optional<Node>& value, std::string_view key, std::vector<Diagnostic>& out) {
  if (!value || value->kind == Node::Kind::boolean ||
      (value->kind == Node::Kind::string && is_whole_expression(value->scalar))) {
    return;
  }
  report(out, value->where, "'" + std::string(key) + "' must be true, false or an expression, not " +
                                std::string(value->is_scalar() ? "'" + value->scalar + "'" : "a list or mapping"));
}

bool has_ref(std::string_view uses) {
  return uses.find('@') != std::string_view::npos;
}

/// `$/path`: the workflow's own repository at the revision that runs (no checkout needed).
bool is_self_reference(std::string_view uses) {
  return uses.starts_with("$/");
}

void check_step_uses(const Step& step, const Job& job, std::vector<Diagnostic>& out) {
  const std::string& uses = step.uses->value;
  if (uses.starts_with("./") || uses.starts_with("docker://") || contains_expression(uses)) {
    return;
  }
  if (is_self_reference(uses)) {
    if (has_ref(uses)) {
      report(out, step.uses->where, "'uses: " + uses + "' in " + step_label(step, job) + " has a version",
             "'$/' names the workflow's own repository at the revision that runs; remove '@" +
                 uses.substr(uses.find('@') + 1) + "'");
    }
    return;
  }
  if (!has_ref(uses)) {
    report(out, step.uses->where, "'uses: " + uses + "' in " + step_label(step, job) + " has no version",
           "add a tag, branch or commit, e.g. '" + uses + "@v4'");
  } else if (uses.find('/') == std::string::npos || uses.find('/') > uses.find('@')) {
    report(out, step.uses->where, "'uses: " + uses + "' is not of the form 'owner/repo@ref', './path', '$/path' or 'docker://image'");
  }
}

void check_step_body(const Step& step, const Job& job, std::vector<Diagnostic>& out) {
  const std::string label = step_label(step, job);
  if (step.is_control()) {
    check_control_step(step, label, out);
    return;
  }
  if (step.run && step.uses) {
    report(out, step.where, label + " has both 'run' and 'uses'",
           "a step either runs a script or uses an action; split it into two steps");
  } else if (!step.run && !step.uses) {
    report(out, step.where, label + " has neither 'run' nor 'uses'");
  }
  if (step.uses) {
    check_step_uses(step, job, out);
    if (step.shell) {
      report(out, step.shell->where, "'shell' in " + label + " only applies to 'run' steps");
    }
  }
  if (step.with && !step.uses) {
    report(out, step.with->where, "'with' in " + label + " needs 'uses'", "'with' passes inputs to an action");
  }
  if (step.shell) {
    check_shell(*step.shell, out);
    warn_expression_shell(*step.shell, "a step's 'shell'", out);
  }
  check_number(step.timeout_minutes, "timeout-minutes", out);
  check_positive(step.timeout_minutes, "timeout-minutes", out);
  check_boolean(step.continue_on_error, "continue-on-error", out);
}

void check_steps(const Job& job, std::vector<Diagnostic>& out) {
  std::map<std::string, int> ids;
  for (const auto& step : job.steps) {
    if (step.id) {
      if (!is_valid_id(step.id->value) && !contains_expression(step.id->value)) {
        report(out, step.id->where, "invalid step id '" + step.id->value + "'",
               "ids start with a letter or '_' and contain only letters, digits, '-' and '_'");
      }
      if (auto [it, fresh] = ids.emplace(step.id->value, step.id->where.line); !fresh) {
        report(out, step.id->where, "step id '" + step.id->value + "' is already used in job '" + job.id.value + "'",
               "the first one is on line " + std::to_string(it->second));
      }
    }
    check_step_body(step, job, out);
  }
  check_background_references(job, out);
}

/// Whether `path` is `.github/workflows/NAME.yml` (or `.yaml`): GitHub looks for called workflows
/// in that folder only, not below it.
bool is_workflow_file(std::string_view path) {
  constexpr std::string_view k_folder = ".github/workflows/";
  if (!path.starts_with(k_folder)) {
    return false;
  }
  const std::string_view name = path.substr(k_folder.size());
  const bool yaml = name.ends_with(".yml") || name.ends_with(".yaml");
  return yaml && name.find('/') == std::string_view::npos && name.front() != '.';
}

// The keys a call may not have are reported by the parser; what is left is the reference itself.
void check_reusable_call(const Job& job, std::vector<Diagnostic>& out) {
  const std::string& uses = job.uses->value;
  if (contains_expression(uses)) {
    return;
  }
  const auto at = uses.find('@');
  const std::string path = uses.substr(0, at);
  bool valid = false;
  if (uses.starts_with("./") || is_self_reference(uses)) {
    valid = at == std::string::npos && is_workflow_file(path.substr(2));
  } else {
    const auto owner_end = path.find('/');
    const auto repo_end = owner_end == std::string::npos ? owner_end : path.find('/', owner_end + 1);
    valid = owner_end != std::string::npos && owner_end > 0 && repo_end != std::string::npos &&
            repo_end > owner_end + 1 && is_workflow_file(path.substr(repo_end + 1)) &&
            (at == std::string::npos || at + 1 < uses.size());
    if (valid && at == std::string::npos) {
      report(out, job.uses->where, "'uses: " + uses + "' of job '" + job.id.value + "' has no version",
             "add a tag, branch or commit, e.g. '" + uses + "@main'");
      return;
    }
  }
  if (!valid) {
    report(out, job.uses->where, "'uses: " + uses + "' of job '" + job.id.value + "' is not a reusable workflow",
           "use './.github/workflows/NAME.yml', '$/.github/workflows/NAME.yml' or "
           "'OWNER/REPO/.github/workflows/NAME.yml@REF'");
  }
}

void check_regular_job(const Job& job, std::vector<Diagnostic>& out) {
  if (!job.runs_on) {
    report(out, job.where, "job '" + job.id.value + "' has no 'runs-on'",
           "add for example 'runs-on: ubuntu-latest', or 'uses:' to call a reusable workflow");
  }
  if (job.steps.empty()) {
    report(out, job.where, "job '" + job.id.value + "' has no steps");
  }
  if (job.with) {
    report(out, job.with->where, "'with' of job '" + job.id.value + "' needs 'uses' (a reusable workflow call)",
           "to pass inputs to an action, put 'with' on the step that uses it");
  }
  if (job.secrets) {
    report(out, job.secrets->where, "'secrets' of job '" + job.id.value + "' needs 'uses' (a reusable workflow call)");
  }
  check_steps(job, out);
}

void check_matrix(const Job& job, std::vector<Diagnostic>& out) {
  if (!job.strategy || !job.strategy->matrix.is_mapping()) {
    return;
  }
  for (const auto& entry : job.strategy->matrix.entries) {
    if (is_insert_directive(entry.key)) {
      continue;  // its mapping (or expression) is checked once evaluated
    }
    if (entry.value.is_sequence() && entry.value.items.empty() && entry.key != "include" && entry.key != "exclude") {
      report(out, entry.key_where, "matrix entry '" + entry.key + "' has no values");
    } else if (entry.value.is_mapping() || (entry.value.is_scalar() && !is_whole_expression(entry.value.scalar))) {
      report(out, entry.value.where, "matrix entry '" + entry.key + "' must be a list or an expression");
    }
  }
}

}  // namespace

void validate_jobs(const Workflow& wf, std::vector<Diagnostic>& out) {
  if (wf.jobs.empty()) {
    report(out, {wf.path, 1, 1}, "the workflow has no jobs", "add a 'jobs:' mapping with at least one job");
  }
  for (const auto& job : wf.jobs) {
    if (!is_valid_id(job.id.value)) {
      report(out, job.id.where, "invalid job id '" + job.id.value + "'",
             "ids start with a letter or '_' and contain only letters, digits, '-' and '_'");
    }
    if (job.uses) {
      check_reusable_call(job, out);
    } else {
      check_regular_job(job, out);
    }
    check_number(job.timeout_minutes, "timeout-minutes", out);
    check_positive(job.timeout_minutes, "timeout-minutes", out);
    check_number(job.cancel_timeout_minutes, "cancel-timeout-minutes", out);
    if (job.strategy) {
      check_positive(job.strategy->max_parallel, "max-parallel", out);
    }
    check_boolean(job.continue_on_error, "continue-on-error", out);
    check_matrix(job, out);
    if (job.defaults.shell) {
      check_shell(*job.defaults.shell, out);
    }
  }
  if (wf.defaults.shell) {
    check_shell(*wf.defaults.shell, out);
    warn_expression_shell(*wf.defaults.shell, "the workflow's 'defaults.run.shell'", out);
  }
}

}  // namespace pipeline::workflow::detail
