#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/run_process.hpp"

namespace {

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

// Each fixtures/errors/<case>.yml must make `pipe validate` print exactly <case>.err and exit 2.
// After an intended change of wording, tests/cli/regen_error_goldens.sh rewrites the goldens.
TEST_CASE("pipe validate prints the golden diagnostics for every broken workflow", "[cli][golden]") {
  const std::filesystem::path dir = std::filesystem::path(PIPE_FIXTURES_DIR) / "errors";
  std::vector<std::filesystem::path> cases;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".yml") {
      cases.push_back(entry.path());
    }
  }
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 20);
  for (const auto& file : cases) {
    SECTION(file.stem().string()) {
      const auto result = pipeline::test::run_process({PIPE_EXE, "validate", "-C", dir.string(), file.filename().string()});
      CHECK(result.exit_code == 2);
      CHECK(result.out.empty());
      CHECK(result.err == read_text(std::filesystem::path(file).replace_extension(".err")));
    }
  }
}
