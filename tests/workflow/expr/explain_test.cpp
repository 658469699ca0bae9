// `--explain`: the context values an `if:` read, as they are printed beside a skip.
#include <catch2/catch.hpp>

#include "expr_support.hpp"
#include "workflow/expr/explain.hpp"

using namespace pipeline::workflow::expr;
using pipeline::workflow::expr::test::sample_context;

namespace {

std::string explain(std::string_view condition) {
  MapContext ctx = sample_context();
  Value secrets = Value::object();
  secrets.set("TOKEN", Value("hunter2"));
  ctx.set("secrets", secrets);
  return format_operands(explain_operands(condition, ctx));
}

}  // namespace

TEST_CASE("explain_operands lists each context reference with its value", "[expr][explain]") {
  struct Case {
    const char* condition;
    const char* expected;
  };
  const std::vector<Case> cases{
      {"github.ref == 'refs/heads/dev'", "github.ref = 'refs/heads/main'"},
      {"${{ matrix.n > 5 && inputs.flag }}", "matrix.n = 3, inputs.flag = true"},
      {"contains(github.event.labels.*.name, 'x')", "github.event.labels.*.name = [\"bug\",\"ci\"]"},
      {"matrix['os'] == 'windows' || matrix['os'] == 'mac'", "matrix['os'] = 'ubuntu-latest'"},
      {"steps.build.outputs.missing", "steps.build.outputs.missing = null"},
      {"env.CI != 'true'", "env.CI = 'true'"},
      {"secrets.TOKEN == ''", "secrets.TOKEN = ***"},
      {"success() && 1 == 2", ""},
      {"github.event.commits[0].author.name == 'Zed'", "github.event.commits[0].author.name = 'Ann'"},
      {"deploy-${{ github.sha }}", "github.sha = 'abc123'"},
      {"github.ref ==", ""},
  };
  for (const auto& c : cases) {
    INFO(c.condition);
    CHECK(explain(c.condition) == c.expected);
  }
}

TEST_CASE("explain_operands shortens long values", "[expr][explain]") {
  const std::string shown = explain("github.event == 'x'");
  CHECK(shown.rfind("github.event = {", 0) == 0);
  CHECK(shown.size() < 100);
}
