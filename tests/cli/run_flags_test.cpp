// `pipe run` flags whose values have a syntax: a bad value is a usage error before anything runs.
#include <catch2/catch.hpp>

#include "support/run_process.hpp"

using pipeline::test::run_process;

namespace {

const std::string k_repo = std::string(PIPE_FIXTURES_DIR) + "/workflows/matrix";

}  // namespace

TEST_CASE("pipe run --matrix without = or : is a usage error", "[cli]") {
  const auto result = run_process({PIPE_EXE, "run", "-n", "--backend", "host", "workflow.yml", "--matrix", "foo"}, k_repo);
  INFO(result.out + result.err);
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Catch::Contains("--matrix: invalid matrix filter 'foo': expected KEY=VALUE"));
  CHECK(result.out.empty());
}

TEST_CASE("pipe run --matrix takes KEY=VALUE and KEY:VALUE", "[cli]") {
  for (const char* filter : {"os=linux", "os:linux"}) {
    const auto result = run_process({PIPE_EXE, "run", "-n", "--backend", "host", "workflow.yml", "--matrix", filter}, k_repo);
    INFO(filter << ": " << result.out + result.err);
    CHECK(result.exit_code == 0);
  }
}

TEST_CASE("pipe run --pull takes missing or always or never through the backend's own parser", "[cli]") {
  const auto bad = run_process({PIPE_EXE, "run", "-n", "--backend", "host", "workflow.yml", "--pull", "sometimes"}, k_repo);
  INFO(bad.out + bad.err);
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("unknown pull policy 'sometimes' (expected missing, always or never)"));
  const auto good = run_process({PIPE_EXE, "run", "-n", "--backend", "host", "workflow.yml", "--pull", "never"}, k_repo);
  INFO(good.out + good.err);
  CHECK(good.exit_code == 0);
}
