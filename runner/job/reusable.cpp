#include "runner/job/reusable.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

#include "actions/resolver.hpp"
#include "runner/output/masker.hpp"
#include "workflow/loader.hpp"
#include "workflow/plan/matrix.hpp"

namespace pipeline::runner::job {

namespace expr = workflow::expr;
namespace fs = std::filesystem;

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

const workflow::NodeEntry* find_entry(const std::optional<workflow::Node>& mapping, std::string_view key) {
  if (!mapping || !mapping->is_mapping()) {
    return nullptr;
  }
  for (const auto& entry : mapping->entries) {
    if (lower(entry.key) == lower(key)) {
      return &entry;
    }
  }
  return nullptr;
}

/// The contexts `with:` and `secrets:` of a calling job see.
expr::MapContext caller_context(const RunState& run, const JobInstance& caller) {
  expr::MapContext ctx;
  ctx.set("github", json_context(run.github));
  ctx.set("needs", caller.needs);
  ctx.set("matrix", expr::Value::from_json(caller.matrix));
  ctx.set("strategy", caller.strategy);
  ctx.set("inputs", run.inputs);
  ctx.set("vars", run.vars);
  ctx.set("secrets", run.secrets);
  return ctx;
}

}  // namespace

Result<std::string> called_workflow_file(RunState& run, const workflow::Located<std::string>& written) {
  // `$/` names the repository of the file the call is written in (see Resolver::origin_of).
  const auto origin = run.resolver ? run.resolver->origin_of(written.where.file) : std::nullopt;
  const std::string uses = actions::anchor_self_reference(written.value, origin ? &*origin : nullptr);
  if (uses.rfind("./", 0) == 0) {
    return (fs::path(run.workspace) / uses).lexically_normal().string();
  }
  auto ref = actions::parse_uses(uses);
  if (!ref || ref->kind != actions::ActionKind::git) {
    return Error{"invalid reusable workflow reference '" + uses + "'"};
  }
  auto fetched = run.resolver->fetch(*ref);
  if (!fetched) {
    return fetched.error();
  }
  return fetched->dir;
}

namespace {

/// A value of the declared input type, as GitHub converts `with:` values.
Result<expr::Value> typed_input(const workflow::InputSpec& spec, const expr::Value& value) {
  if (spec.type == "boolean") {
    if (value.is_boolean()) {
      return value;
    }
    const std::string text = value.to_display_string();
    if (text == "true" || text == "false") {
      return expr::Value(text == "true");
    }
    return Error{"Unexpected value '" + text + "' for input '" + spec.name + "' of type boolean"};
  }
  if (spec.type == "number") {
    const double number = value.to_number();
    if (std::isnan(number)) {  // GitHub refuses the call rather than passing NaN on
      return Error{"Unexpected value '" + value.to_display_string() + "' for input '" + spec.name +
                   "' of type number"};
    }
    return expr::Value(number);
  }
  return expr::Value(value.to_display_string());
}

Result<expr::Value> evaluate_inputs(const workflow::Trigger& call, const workflow::Job& job, expr::MapContext& ctx) {
  expr::Value inputs = expr::Value::object();
  if (job.with && job.with->is_mapping()) {
    for (const auto& entry : job.with->entries) {
      const bool declared = std::any_of(call.inputs.begin(), call.inputs.end(),
                                        [&](const auto& spec) { return lower(spec.name) == lower(entry.key); });
      if (!declared) {
        return Error{where_prefix(entry.key_where) + "Invalid input, " + entry.key +
                     " is not defined in the referenced workflow."};
      }
    }
  }
  for (const auto& spec : call.inputs) {
    const auto* given = find_entry(job.with, spec.name);
    const workflow::Node* source = given ? &given->value : spec.default_value ? &*spec.default_value : nullptr;
    if (!source) {
      if (spec.required) {
        return Error{where_prefix(job.where) + "Input " + spec.name + " is required, but not provided while calling."};
      }
      inputs.set(spec.name, spec.type == "boolean" ? expr::Value(false) : spec.type == "number" ? expr::Value(0.0)
                                                                                                : expr::Value(""));
      continue;
    }
    auto value = evaluate_node(*source, ctx);
    if (!value) {
      return Error{where_prefix(source->where) + value.error().message};
    }
    auto typed = typed_input(spec, *value);
    if (!typed) {
      return Error{where_prefix(source->where) + typed.error().message};
    }
    inputs.set(spec.name, std::move(*typed));
  }
  return inputs;
}

Result<expr::Value> evaluate_secrets(const workflow::Trigger& call, const workflow::Job& job, const RunState& run,
                                     expr::MapContext& ctx) {
  if (job.secrets_inherit) {
    return run.secrets;
  }
  expr::Value secrets = expr::Value::object();
  if (job.secrets && job.secrets->is_mapping()) {
    for (const auto& entry : job.secrets->entries) {
      auto value = evaluate_string(entry.value, ctx);
      if (!value) {
        return Error{where_prefix(entry.value.where) + value.error().message};
      }
      if (run.masker) {
        (void)run.masker->add_secret(*value);  // a value passed as a secret is one from here on
      }
      secrets.set(entry.key, *value);
    }
  }
  for (const auto& spec : call.secrets) {
    if (spec.required && !find_entry(job.secrets, spec.name)) {
      return Error{where_prefix(job.where) + "Secret " + spec.name + " is required, but not provided while calling."};
    }
  }
  return secrets;
}

}  // namespace

Result<std::shared_ptr<const workflow::Workflow>> read_called_workflow(const std::string& file,
                                                                      const workflow::Located<std::string>& uses) {
  auto loaded = workflow::load_workflow_file(file);
  if (!loaded.workflow || workflow::has_errors(loaded.diagnostics)) {
    std::string message;
    for (const auto& d : loaded.diagnostics) {
      message += workflow::format_diagnostic(d, loaded.workflow ? loaded.workflow->source : "");
    }
    return Error{message.empty() ? file + ": not a usable workflow" : message};
  }
  if (!loaded.workflow->find_trigger("workflow_call")) {
    return Error{where_prefix(uses.where) + "workflow is not reusable as it is missing a `on.workflow_call` trigger"};
  }
  return std::make_shared<const workflow::Workflow>(std::move(*loaded.workflow));
}

Result<std::shared_ptr<const workflow::Workflow>> CalledWorkflows::read(const std::string& file,
                                                                         const workflow::Located<std::string>& uses) {
  std::lock_guard lock(m_mutex);
  if (auto found = m_read.find(file); found != m_read.end()) {
    return found->second;
  }
  auto called = read_called_workflow(file, uses);
  if (called) {
    m_read.emplace(file, *called);
  }
  return called;
}

Result<std::shared_ptr<const workflow::Workflow>> called_workflow(RunState& run, const std::string& file,
                                                                 const workflow::Located<std::string>& uses) {
  return run.called_workflows ? run.called_workflows->read(file, uses) : read_called_workflow(file, uses);
}

Result<CalledWorkflow> bind_call(RunState& run, const JobInstance& caller,
                                 std::shared_ptr<const workflow::Workflow> called) {
  const workflow::Trigger* call = called->find_trigger("workflow_call");
  auto ctx = caller_context(run, caller);
  auto inputs = evaluate_inputs(*call, *caller.job, ctx);
  if (!inputs) {
    return inputs.error();
  }
  auto secrets = evaluate_secrets(*call, *caller.job, run, ctx);
  if (!secrets) {
    return secrets.error();
  }
  CalledWorkflow bound;
  bound.workflow = std::move(called);
  bound.inputs = std::move(*inputs);
  bound.secrets = std::move(*secrets);
  return bound;
}

Result<CalledWorkflow> load_called_workflow(RunState& run, const JobInstance& caller) {
  const workflow::Job& job = *caller.job;
  auto file = called_workflow_file(run, *job.uses);
  if (!file) {
    return Error{where_prefix(job.uses->where) + file.error().message};
  }
  auto called = called_workflow(run, *file, *job.uses);
  if (!called) {
    return called.error();
  }
  return bind_call(run, caller, std::move(*called));
}

std::string job_display_name(const workflow::Job& job, const nlohmann::ordered_json& matrix, expr::MapContext& ctx) {
  std::string name = job.id.value;
  bool names_matrix = false;
  if (job.name) {
    auto evaluated = evaluate_text(job.name->value, ctx);
    name = evaluated ? *evaluated : job.name->value;
    names_matrix = job.name->value.find("matrix.") != std::string::npos;
  }
  if (names_matrix || matrix.empty()) {
    return name;
  }
  return workflow::plan::matrix_job_name(name, matrix);
}

EnvList called_workflow_outputs(const workflow::Workflow& called, const expr::Value& jobs, const CalledWorkflow& call,
                                const RunState& run) {
  EnvList outputs;
  const workflow::Trigger* trigger = called.find_trigger("workflow_call");
  if (!trigger) {
    return outputs;
  }
  expr::MapContext ctx;
  ctx.set("github", json_context(run.github));
  ctx.set("jobs", jobs);
  ctx.set("inputs", call.inputs);
  ctx.set("vars", run.vars);
  for (const auto& output : trigger->outputs) {
    if (!output.value) {
      continue;
    }
    auto value = evaluate_string(*output.value, ctx);
    set_env(outputs, output.name, value ? std::move(*value) : std::string());
  }
  return outputs;
}

}  // namespace pipeline::runner::job
