// Expression throughput: parses per second and evaluations per second of a typical `if:`.
#include <ctime>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "workflow/expr/evaluator.hpp"
#include "workflow/expr/parser.hpp"
#include "workflow/expr/template.hpp"

namespace expr = pipeline::workflow::expr;

namespace {

constexpr const char* k_expression =
    "github.event_name == 'push' && contains(github.ref, 'refs/heads/') && !cancelled()";

// CPU time of this thread: the targets are per core, and the build machine is shared.
double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double seconds_since(double start) { return cpu_now() - start; }

expr::MapContext make_context() {
  expr::MapContext ctx;
  ctx.set("github", expr::Value::from_json(nlohmann::json::parse(R"({
    "event_name": "push", "ref": "refs/heads/main", "sha": "0123456789abcdef0123456789abcdef01234567",
    "repository": "octo/hello", "actor": "octocat", "workflow": "CI", "run_id": "1",
    "event": {"head_commit": {"message": "hi"}}})")));
  ctx.set("env", expr::Value::object(expr::KeyCase::sensitive));
  return ctx;
}

}  // namespace

int main() {
  constexpr int k_parses = 500000;
  auto start = cpu_now();
  std::size_t sink = 0;
  for (int i = 0; i < k_parses; ++i) {
    auto ast = expr::parse(k_expression);
    sink += ast ? ast->root->children.size() : 0;
  }
  const double parse_rate = k_parses / seconds_since(start);

  auto ast = expr::parse(k_expression);
  if (!ast) {
    std::fprintf(stderr, "%s\n", ast.error().message.c_str());
    return 1;
  }
  expr::MapContext ctx = make_context();
  constexpr int k_evaluations = 5000000;
  start = cpu_now();
  for (int i = 0; i < k_evaluations; ++i) {
    auto v = expr::evaluate(*ast, ctx);
    sink += v && v->is_truthy() ? 1 : 0;
  }
  const double eval_rate = k_evaluations / seconds_since(start);

  constexpr int k_conditions = 1000000;
  start = cpu_now();
  for (int i = 0; i < k_conditions; ++i) {
    auto v = expr::evaluate_condition(k_expression, ctx);
    sink += v && *v ? 1 : 0;
  }
  const double condition_rate = k_conditions / seconds_since(start);

  std::printf("expression: %s\n", k_expression);
  std::printf("parses/s:            %12.0f (target >= 500000)\n", parse_rate);
  std::printf("evaluations/s:       %12.0f (target >= 2000000)\n", eval_rate);
  std::printf("cached conditions/s: %12.0f\n", condition_rate);
  std::printf("(checksum %zu)\n", sink);
  return 0;
}
