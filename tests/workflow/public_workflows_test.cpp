#include <catch2/catch.hpp>

#include "workflow/loader.hpp"

using namespace pipeline::workflow;

namespace {

void require_clean(const std::filesystem::path& dir, std::size_t at_least) {
  const auto files = find_workflow_files(dir);
  REQUIRE(files.size() >= at_least);
  for (const auto& file : files) {
    const LoadedSet set = load_all({file});
    INFO(file.string() << "\n" << format_diagnostics(set));
    CHECK(set.diagnostics.empty());
    CHECK(set.workflows.size() == 1);
  }
}

}  // namespace

TEST_CASE("every real public workflow loads and validates cleanly", "[public]") {
  require_clean(std::filesystem::path(PIPE_FIXTURES_DIR) / "workflows-public", 20);
}

TEST_CASE("the full-syntax workflow loads and validates cleanly", "[public]") {
  const LoadedSet set = load_all({std::filesystem::path(PIPE_FIXTURES_DIR) / "valid" / "full-syntax.yml"});
  INFO(format_diagnostics(set));
  CHECK(set.diagnostics.empty());
}
