// End to end: a secret that reaches texts pipe writes itself (a step's name, a job's name, an
// explained `if:`) is masked in every sink: the terminal, `--json` and the run records.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/files.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

using pipeline::test::files_containing;
using pipeline::test::read_file;
using pipeline::test::write_file;

// Job a passes the secret on as an output: job b is named after it, job c's `if:` is explained
// with it, and job d's `if:` fails on it.
constexpr const char* k_workflow = R"(on: push
jobs:
  a:
    runs-on: ubuntu-latest
    outputs:
      o: ${{ steps.s.outputs.o }}
    steps:
      - name: step ${{ secrets.C }}
        id: s
        run: echo "o=$C" >> "$GITHUB_OUTPUT"
        env:
          C: ${{ secrets.C }}
  b:
    needs: a
    runs-on: ubuntu-latest
    name: job ${{ needs.a.outputs.o }}
    steps:
      - run: echo hi
  c:
    needs: a
    runs-on: ubuntu-latest
    if: needs.a.outputs.o == 'nope'
    steps:
      - run: echo hi
)";

}  // namespace

TEST_CASE("pipe run masks a secret in step names, job names and explained conditions", "[secrets][e2e]") {
  const std::string secret = "fallback-value";
  pipeline::test::TempDir repo("masking-run");
  write_file(repo.path / ".github/workflows/ci.yml", k_workflow);
  for (const bool json : {false, true}) {
    INFO("json: " << json);
    std::vector<std::string> args{PIPE_EXE, "run",     "--backend", "host", "-P", "ubuntu-latest=host",
                                  "-C",     repo.path.string(), "-s", "C=" + secret, "--explain"};
    if (json) {
      args.emplace_back("--json");
    }
    const auto result = pipeline::test::run_process(args);
    INFO(result.out << result.err);
    REQUIRE(result.exit_code == 0);
    CHECK_THAT(result.out, Catch::Contains("step ***") && Catch::Contains("job ***"));
    CHECK_THAT(result.out, Catch::Contains("needs.a.outputs.o = '***'"));
    CHECK(result.out.find(secret) == std::string::npos);
    CHECK(result.err.find(secret) == std::string::npos);
  }
  REQUIRE(fs::exists(repo.path / ".pipe" / "runs"));
  CHECK(files_containing(repo.path / ".pipe", secret).empty());
}
