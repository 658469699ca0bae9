// libFuzzer target: any text through the template splitter, the parser and the evaluator.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "workflow/expr/evaluator.hpp"
#include "workflow/expr/parser.hpp"
#include "workflow/expr/template.hpp"

namespace expr = pipeline::workflow::expr;

namespace {

expr::MapContext make_context() {
  expr::MapContext ctx;
  ctx.set("github", expr::Value::from_json(nlohmann::json::parse(
                        R"({"ref":"refs/heads/main","event":{"commits":[{"id":"a","files":["x"]},{"id":"b"}]}})")));
  ctx.set("matrix", expr::Value::from_json(nlohmann::json::parse(R"({"os":["linux","mac"],"n":1.5})")));
  ctx.set_hash_files([](const std::vector<std::string>&) -> pipeline::Result<std::string> { return std::string(); });
  return ctx;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static expr::MapContext ctx = make_context();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto ast = expr::parse(text)) {
    if (auto value = expr::evaluate(*ast, ctx)) {
      (void)value->to_display_string();
      (void)value->to_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  }
  (void)expr::evaluate_template(text, ctx);
  (void)expr::evaluate_condition(text, ctx);
  (void)expr::parse(text, expr::ParseOptions::only({"github"}));
  return 0;
}
