#include "workflow/secret_refs.hpp"

#include <algorithm>
#include <cctype>

#include "workflow/expr/template.hpp"
#include "workflow/yaml_node.hpp"

namespace pipeline::workflow {

namespace {

using expr::AstNode;
using expr::NodeKind;

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

bool is_secrets(const AstNode& node) {
  return node.kind == NodeKind::named_value && node.name == "secrets";
}

// `secrets.X` and `secrets['X']` name one secret; the context anywhere else (an argument of
// toJSON, `secrets.*`, `secrets[expr]`) hands out every secret.
void visit(const AstNode& node, SecretRefs& refs) {
  if (refs.all) {
    return;
  }
  if (!node.children.empty() && is_secrets(*node.children.front())) {
    if (node.kind == NodeKind::property) {
      refs.names.insert(upper(node.name));
      return;
    }
    if (node.kind == NodeKind::index && node.children.size() == 2 && node.children[1]->kind == NodeKind::literal &&
        node.children[1]->literal.is_string()) {
      refs.names.insert(upper(node.children[1]->literal.as_string()));
      return;
    }
  }
  if (is_secrets(node)) {
    refs.all = true;
    return;
  }
  for (const auto& child : node.children) {
    visit(*child, refs);
  }
}

void scan_node(const Node& node, bool is_condition, SecretRefs& refs) {
  if (refs.all) {
    return;
  }
  if (node.kind == Node::Kind::string) {
    refs.merge(secrets_in_text(node.scalar, is_condition ? TextKind::condition : TextKind::template_text));
    return;
  }
  for (const auto& item : node.items) {
    scan_node(item, false, refs);
  }
  for (const auto& entry : node.entries) {
    refs.merge(secrets_in_text(entry.key));  // keys may hold expressions too (matrix include, env names)
    scan_node(entry.value, entry.key == "if", refs);
  }
}

}  // namespace

bool SecretRefs::can_read(std::string_view name) const {
  return all || names.count(upper(name)) != 0;
}

void SecretRefs::merge(const SecretRefs& other) {
  all = all || other.all;
  names.insert(other.names.begin(), other.names.end());
}

SecretRefs secrets_in_expression(std::string_view expression) {
  SecretRefs refs;
  auto ast = expr::parse_cached(expression);
  if (ast && ast->root) {
    visit(*ast->root, refs);
  }
  return refs;
}

SecretRefs secrets_in_text(std::string_view text, TextKind kind) {
  if (kind == TextKind::condition) {
    const auto source = expr::condition_source(text);
    if (!source.is_template) {
      return source.expression.empty() ? SecretRefs{} : secrets_in_expression(source.expression);
    }
  }
  SecretRefs refs;
  if (!expr::has_expression(text)) {
    return refs;
  }
  auto segments = expr::split_template(text);
  if (!segments) {
    return refs;
  }
  for (const auto& segment : *segments) {
    if (segment.kind == expr::Segment::Kind::expression) {
      refs.merge(secrets_in_expression(segment.text));
    }
  }
  return refs;
}

SecretRefs secrets_of_job(const Workflow& workflow, std::string_view job_id) {
  return secrets_of_jobs(workflow, {std::string(job_id)});
}

SecretRefs secrets_of_jobs(const Workflow& workflow, const std::vector<std::string>& job_ids) {
  SecretRefs refs;
  for (const auto& id : job_ids) {
    const Job* job = workflow.find_job(id);
    if (job && job->secrets_inherit) {
      refs.all = true;
      return refs;
    }
  }
  // The model keeps typed fields; the jobs' YAML as written holds every expression in one tree.
  auto parsed = parse_yaml(workflow.source, workflow.path);
  if (!parsed.root) {
    refs.all = true;  // cannot look: assume the worst
    return refs;
  }
  if (const Node* env = parsed.root->find("env")) {
    scan_node(*env, false, refs);
  }
  const Node* jobs = parsed.root->find("jobs");
  for (const auto& id : job_ids) {
    if (const Node* node = jobs ? jobs->find(id) : nullptr) {
      scan_node(*node, false, refs);
    }
  }
  return refs;
}

}  // namespace pipeline::workflow
