// Which contexts and functions each workflow key allows follows GitHub's "Context availability"
// table; every `${{ }}` (and every `if:`, with or without `${{ }}`) is parsed with those options.
#include "workflow/validate_expressions.hpp"

#include <algorithm>
#include <string>

#include "workflow/expr/parser.hpp"
#include "workflow/expr/template.hpp"
#include "workflow/template_node.hpp"

namespace pipeline::workflow {
namespace {

using expr::ParseOptions;

// Bits per key, named after the rows of GitHub's table.
constexpr std::uint32_t k_gh = expr::k_ctx_github;
constexpr std::uint32_t k_in = expr::k_ctx_inputs;
constexpr std::uint32_t k_vars = expr::k_ctx_vars;
constexpr std::uint32_t k_needs = expr::k_ctx_needs;
constexpr std::uint32_t k_mx = expr::k_ctx_strategy | expr::k_ctx_matrix;
constexpr std::uint32_t k_runtime = expr::k_ctx_job | expr::k_ctx_runner | expr::k_ctx_env;

constexpr ParseOptions k_workflow_level{k_gh | k_in | k_vars, 0};
constexpr ParseOptions k_workflow_env{k_gh | k_in | k_vars | expr::k_ctx_secrets, 0};
constexpr ParseOptions k_call_outputs{k_gh | k_in | k_vars | expr::k_ctx_jobs, 0};
constexpr ParseOptions k_job_if{k_gh | k_in | k_vars | k_needs, expr::k_fn_status};
constexpr ParseOptions k_job_strategy{k_gh | k_in | k_vars | k_needs, 0};
constexpr ParseOptions k_job_plain{k_gh | k_in | k_vars | k_needs | k_mx, 0};
constexpr ParseOptions k_job_secrets{k_job_plain.contexts | expr::k_ctx_secrets, 0};
constexpr ParseOptions k_job_defaults{k_job_plain.contexts | expr::k_ctx_env, 0};
constexpr ParseOptions k_container_env{k_job_plain.contexts | k_runtime | expr::k_ctx_secrets, 0};
constexpr ParseOptions k_credentials{k_job_plain.contexts | expr::k_ctx_env | expr::k_ctx_secrets, 0};
constexpr ParseOptions k_job_outputs{k_container_env.contexts | expr::k_ctx_steps, 0};
constexpr ParseOptions k_environment_url{k_job_plain.contexts | k_runtime | expr::k_ctx_steps, 0};
constexpr ParseOptions k_step{k_job_outputs.contexts, expr::k_fn_hash_files};
constexpr ParseOptions k_step_if{k_environment_url.contexts, expr::k_fn_hash_files | expr::k_fn_status};

class Checker {
public:
  explicit Checker(const Workflow& wf) : m_wf(wf) { split_lines(); }

  std::vector<Diagnostic> take() { return std::move(m_out); }

  // Every string scalar inside `node`.
  void node(const Node& n, const ParseOptions& options) {
    if (n.kind == Node::Kind::string) {
      text(n.scalar, n.where, options);
    }
    for (const auto& item : n.items) {
      node(item, options);
    }
    for (const auto& entry : n.entries) {
      if (!is_insert_directive(entry.key)) {
        text(entry.key, entry.key_where, options);  // keys may be expressions too
      }
      node(entry.value, options);
    }
  }

  void node(const std::optional<Node>& n, const ParseOptions& options) {
    if (n) {
      node(*n, options);
    }
  }

  void located(const std::optional<Located<std::string>>& s, const ParseOptions& options) {
    if (s) {
      text(s->value, s->where, options);
    }
  }

  void text(std::string_view value, const SourceLocation& where, const ParseOptions& options) {
    if (!expr::has_expression(value)) {
      return;
    }
    auto segments = expr::split_template(value);
    if (!segments) {
      report(where, value, value.find("${{"), segments.error().message, "");
      return;
    }
    for (const auto& segment : *segments) {
      if (segment.kind == expr::Segment::Kind::expression) {
        expression(segment.text, where, value, segment.offset, options);
      }
    }
  }

  // `if:` takes an expression with or without `${{ }}`.
  void condition(const std::optional<Located<std::string>>& s, const ParseOptions& options) {
    if (!s) {
      return;
    }
    const auto source = expr::condition_source(s->value);
    if (source.is_template) {
      text(s->value, s->where, options);
    } else if (!source.expression.empty()) {
      expression(source.expression, s->where, s->value, source.offset, options);
    }
  }

private:
  void expression(std::string_view e, const SourceLocation& where, std::string_view value, std::size_t offset,
                  const ParseOptions& options) {
    auto ast = expr::parse_cached(e, options);
    if (!ast) {
      report(where, value, offset, ast.error().message, hint_for(ast.error().message, options));
    }
  }

  // A context that exists but is not available in this key gets a hint listing what is.
  static std::string hint_for(const std::string& message, const ParseOptions& options) {
    constexpr std::string_view k_named = "Unrecognized named-value: '";
    if (message.rfind(k_named, 0) != 0) {
      return "";
    }
    const auto end = message.find('\'', k_named.size());
    const std::string name = message.substr(k_named.size(), end - k_named.size());
    std::vector<std::string> allowed;
    for (auto n : expr::context_names(options.contexts)) {
      allowed.emplace_back(n);
    }
    std::string list;
    for (const auto& n : allowed) {
      list += (list.empty() ? "" : ", ") + n;
    }
    const auto all = expr::context_names(expr::k_all_contexts);
    if (std::find(all.begin(), all.end(), name) != all.end()) {
      return "'" + name + "' is not available here; available contexts: " + list;
    }
    const std::string near = closest_match(name, allowed);
    return near.empty() ? "available contexts: " + list : "did you mean '" + near + "'?";
  }

  void report(const SourceLocation& where, std::string_view value, std::size_t offset, std::string message,
              std::string hint) {
    Diagnostic d;
    d.where = locate(where, value, offset);
    d.message = std::move(message);
    d.hint = std::move(hint);
    m_out.push_back(std::move(d));
  }

  void split_lines() {
    std::string_view src = m_wf.source;
    std::size_t start = 0;
    while (start <= src.size()) {
      const auto nl = src.find('\n', start);
      const auto end = nl == std::string_view::npos ? src.size() : nl;
      m_lines.push_back(src.substr(start, end - start));
      if (nl == std::string_view::npos) {
        break;
      }
      start = nl + 1;
    }
  }

  // The line of `value` that holds byte `offset`, and the column of `offset` within it.
  static std::pair<std::string_view, std::size_t> value_line(std::string_view value, std::size_t offset) {
    const auto prev_nl = offset == 0 ? std::string_view::npos : value.rfind('\n', offset - 1);
    const std::size_t begin = prev_nl == std::string_view::npos ? 0 : prev_nl + 1;
    const auto next_nl = value.find('\n', offset);
    const std::size_t end = next_nl == std::string_view::npos ? value.size() : next_nl;
    return {value.substr(begin, end - begin), offset - begin};
  }

  // Block scalars and folded text do not keep columns, so the value's line holding the
  // expression is searched for in the file, starting at the value's own position.
  SourceLocation locate(const SourceLocation& where, std::string_view value, std::size_t offset) const {
    SourceLocation at = where;
    at.file = at.file.empty() ? m_wf.path : at.file;
    const auto [line, column] = value_line(value, offset);
    const std::size_t first = where.line > 0 ? static_cast<std::size_t>(where.line) - 1 : 0;
    for (std::size_t l = first; !line.empty() && l < m_lines.size() && l < first + k_search_lines; ++l) {
      const std::size_t from = l == first && where.column > 0 ? static_cast<std::size_t>(where.column) - 1 : 0;
      const auto pos = m_lines[l].find(line, std::min(from, m_lines[l].size()));
      if (pos != std::string_view::npos) {
        at.line = static_cast<int>(l) + 1;
        at.column = static_cast<int>(pos + column) + 1;
        return at;
      }
    }
    if (at.column > 0 && value.find('\n') == std::string_view::npos) {
      at.column += static_cast<int>(offset);  // quoted or escaped text: best effort
    }
    return at;
  }

  static constexpr std::size_t k_search_lines = 200;

  const Workflow& m_wf;
  std::vector<std::string_view> m_lines;
  std::vector<Diagnostic> m_out;
};

void check_container(Checker& c, const Container& k) {
  c.node(k.raw.kind == Node::Kind::string ? std::optional<Node>(k.raw) : std::nullopt, k_job_plain);
  c.node(k.image, k_job_plain);
  c.node(k.credentials, k_credentials);
  c.node(k.env, k_container_env);
  for (const auto& p : k.ports) {
    c.text(p.value, p.where, k_job_plain);
  }
  for (const auto& v : k.volumes) {
    c.text(v.value, v.where, k_job_plain);
  }
  c.located(k.options, k_job_plain);
  c.node(k.entrypoint, k_job_plain);
  c.node(k.command, k_job_plain);
}

void check_step(Checker& c, const Step& s) {
  c.condition(s.if_condition, k_step_if);
  c.located(s.name, k_step);
  c.located(s.run, k_step);
  c.located(s.shell, k_step);
  c.located(s.working_directory, k_step);
  c.node(s.with, k_step);
  c.node(s.env, k_step);
  c.node(s.continue_on_error, k_step);
  c.node(s.timeout_minutes, k_step);
}

void check_environment(Checker& c, const std::optional<Node>& env) {
  if (!env) {
    return;
  }
  if (!env->is_mapping()) {
    c.node(*env, k_job_plain);
    return;
  }
  for (const auto& entry : env->entries) {
    c.node(entry.value, entry.key == "url" ? k_environment_url : k_job_plain);
  }
}

void check_job(Checker& c, const Job& j) {
  c.located(j.name, k_job_plain);
  c.condition(j.if_condition, k_job_if);
  c.node(j.runs_on, k_job_plain);
  check_environment(c, j.environment);
  c.node(j.outputs, k_job_outputs);
  c.node(j.env, k_job_secrets);
  c.located(j.defaults.shell, k_job_defaults);
  c.located(j.defaults.working_directory, k_job_defaults);
  c.node(j.timeout_minutes, k_job_plain);
  c.node(j.cancel_timeout_minutes, k_job_plain);
  c.node(j.continue_on_error, k_job_plain);
  c.node(j.snapshot, k_job_plain);
  if (j.strategy) {
    c.node(j.strategy->matrix, k_job_strategy);
    c.node(j.strategy->fail_fast, k_job_strategy);
    c.node(j.strategy->max_parallel, k_job_strategy);
  }
  if (j.container) {
    check_container(c, *j.container);
  }
  c.node(j.services_expression, k_job_plain);
  for (const auto& [name, service] : j.services) {
    check_container(c, service);
  }
  if (j.concurrency) {
    c.node(j.concurrency->group, k_job_plain);
    c.node(j.concurrency->cancel_in_progress, k_job_plain);
  }
  c.node(j.with, k_job_plain);
  c.node(j.secrets, k_job_secrets);
  for (const auto& step : j.steps) {
    check_step(c, step);
  }
}

void check_triggers(Checker& c, const Workflow& wf) {
  for (const auto& trigger : wf.on) {
    for (const auto& input : trigger.inputs) {
      c.node(input.default_value, k_workflow_level);
    }
    for (const auto& output : trigger.outputs) {
      c.node(output.value, k_call_outputs);
    }
  }
}

}  // namespace

std::vector<Diagnostic> validate_expressions(const Workflow& wf) {
  Checker c(wf);
  c.located(wf.run_name, k_workflow_level);
  c.node(wf.env, k_workflow_env);
  if (wf.concurrency) {
    c.node(wf.concurrency->group, k_workflow_level);
    c.node(wf.concurrency->cancel_in_progress, k_workflow_level);
  }
  c.located(wf.defaults.shell, k_job_defaults);  // evaluated for each job, with the job's contexts
  c.located(wf.defaults.working_directory, k_workflow_level);
  check_triggers(c, wf);
  for (const auto& job : wf.jobs) {
    check_job(c, job);
  }
  return c.take();
}

}  // namespace pipeline::workflow
