#pragma once
// Helpers shared by the expression tests: a sample context and one-line result descriptions.
#include <nlohmann/json.hpp>
#include <string>

#include "workflow/expr/evaluator.hpp"
#include "workflow/expr/parser.hpp"
#include "workflow/expr/template.hpp"

namespace pipeline::workflow::expr::test {

inline MapContext sample_context() {
  MapContext ctx;
  ctx.set("github", Value::from_json(nlohmann::json::parse(R"({
    "event_name": "push", "ref": "refs/heads/main", "sha": "abc123",
    "event": {"commits": [{"id": "c1", "author": {"name": "Ann"}, "files": ["a", "b"]},
                          {"id": "c2", "author": {"name": "Bob"}, "files": ["c"]},
                          {"id": "c3"}],
              "number": 42, "draft": false, "labels": {"one": {"name": "bug"}, "two": {"name": "ci"}}}
  })")));
  Value env = Value::object(KeyCase::sensitive);
  env.set("Path", Value("/usr/bin"));
  env.set("CI", Value("true"));
  ctx.set("env", env);
  ctx.set("matrix", Value::from_json(nlohmann::json::parse(R"({"os": "ubuntu-latest", "node": [18, 20], "n": 3})")));
  ctx.set("steps", Value::from_json(nlohmann::json::parse(R"({"build": {"outputs": {"v": "1.2"}, "outcome": "success"}})")));
  ctx.set("inputs", Value::from_json(nlohmann::json::parse(R"({"flag": true, "count": 0, "name": "x"})")));
  return ctx;
}

/// `Kind json` for a value, or `error: message`.
inline std::string describe(const Result<Value>& r) {
  if (!r) {
    return "error: " + r.error().message;
  }
  return std::string(r->kind_name()) + " " + r->to_json().dump();
}

/// Parses and evaluates `expression` against `ctx` (all contexts and functions allowed).
inline std::string run(std::string_view expression, EvalContext& ctx) {
  Result<Ast> ast = parse(expression);
  if (!ast) {
    return "error: " + ast.error().message;
  }
  return describe(evaluate(*ast, ctx));
}

inline std::string run(std::string_view expression) {
  MapContext ctx = sample_context();
  return run(expression, ctx);
}

/// The display string of the result (what a template would insert).
inline std::string show(std::string_view expression) {
  MapContext ctx = sample_context();
  Result<Ast> ast = parse(expression);
  if (!ast) {
    return "error: " + ast.error().message;
  }
  Result<Value> v = evaluate(*ast, ctx);
  return v ? v->to_display_string() : "error: " + v.error().message;
}

}  // namespace pipeline::workflow::expr::test
