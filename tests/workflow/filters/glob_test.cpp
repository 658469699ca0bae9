#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "workflow/filters/glob.hpp"

using pipeline::workflow::filters::FilterList;
using pipeline::workflow::filters::match_filters;
using pipeline::workflow::filters::match_glob;
using pipeline::workflow::filters::validate_glob;

namespace {

struct GlobCase {
  std::string pattern;
  std::string value;
  bool matches;
};

}  // namespace

// Every example of GitHub's "Filter pattern cheat sheet" (branches and tags), plus near misses.
TEST_CASE("glob: branch and tag examples from the cheat sheet", "[glob]") {
  const std::vector<GlobCase> cases = {
      {"feature/*", "feature/my-branch", true},
      {"feature/*", "feature/your-branch", true},
      {"feature/*", "feature/beta-a/my-branch", false},
      {"feature/**", "feature/beta-a/my-branch", true},
      {"feature/**", "feature/your-branch", true},
      {"feature/**", "feature/mona/the/octocat", true},
      {"feature/**", "features/x", false},
      {"main", "main", true},
      {"main", "main2", false},
      {"releases/mona-the-octocat", "releases/mona-the-octocat", true},
      {"*", "main", true},
      {"*", "releases", true},
      {"*", "releases/v1", false},
      {"**", "all/the/branches", true},
      {"**", "every/tag", true},
      {"*feature", "mona-feature", true},
      {"*feature", "feature", true},
      {"*feature", "ver-10-feature", true},
      {"*feature", "feature-x", false},
      {"v2*", "v2", true},
      {"v2*", "v2.0", true},
      {"v2*", "v2.9", true},
      {"v2*", "v1.0", false},
      {"v[12].[0-9]+.[0-9]+", "v1.10.1", true},
      {"v[12].[0-9]+.[0-9]+", "v2.0.0", true},
      {"v[12].[0-9]+.[0-9]+", "v3.0.0", false},
      {"v[12].[0-9]+.[0-9]+", "v1..0", false},
      {"[CB]at", "Cat", true},
      {"[CB]at", "Bat", true},
      {"[CB]at", "Hat", false},
      {"[1-2]00", "100", true},
      {"[1-2]00", "200", true},
      {"[1-2]00", "300", false},
      {"Octo*", "Octocat", true},
  };
  for (const auto& c : cases) {
    INFO(c.pattern << " vs " << c.value);
    CHECK(match_glob(c.pattern, c.value) == c.matches);
  }
}

// Every example of the cheat sheet's "Patterns to match file paths".
TEST_CASE("glob: path examples from the cheat sheet", "[glob]") {
  const std::vector<GlobCase> cases = {
      {"*", "README.md", true},
      {"*", "server.rb", true},
      {"*", "docs/README.md", false},
      {"*.jsx?", "page.js", true},
      {"*.jsx?", "page.jsx", true},
      {"*.jsx?", "page.jsxx", false},
      {"**", "all/the/files.md", true},
      {"*.js", "app.js", true},
      {"*.js", "index.js", true},
      {"*.js", "src/app.js", false},
      {"**.js", "index.js", true},
      {"**.js", "js/index.js", true},
      {"**.js", "src/js/app.js", true},
      {"docs/*", "docs/README.md", true},
      {"docs/*", "docs/file.txt", true},
      {"docs/*", "docs/mona/octocat.txt", false},
      {"docs/**", "docs/README.md", true},
      {"docs/**", "docs/mona/octocat.txt", true},
      {"docs/**", "src/docs/a.md", false},
      {"docs/**/*.md", "docs/README.md", true},
      {"docs/**/*.md", "docs/mona/hello-world.md", true},
      {"docs/**/*.md", "docs/a/markdown/file.md", true},
      {"docs/**/*.md", "docs/a/markdown/file.txt", false},
      {"**/docs/**", "docs/hello.md", true},
      {"**/docs/**", "dir/docs/my-file.txt", true},
      {"**/docs/**", "space/docs/plan/space.doc", true},
      {"**/docs/**", "mydocs/x", false},
      {"**/README.md", "README.md", true},
      {"**/README.md", "js/README.md", true},
      {"**/README.md", "js/NOTREADME.md", false},
      {"**/*src/**", "a/src/app.js", true},
      {"**/*src/**", "my-src/code/js/app.js", true},
      {"**/*-post.md", "my-post.md", true},
      {"**/*-post.md", "path/their-post.md", true},
      {"**/migrate-*.sql", "migrate-10909.sql", true},
      {"**/migrate-*.sql", "db/migrate-v1.0.sql", true},
      {"**/migrate-*.sql", "db/sept/migrate-v1.sql", true},
      {"**/migrate-*.sql", "db/sept/migrate/v1.sql", false},
  };
  for (const auto& c : cases) {
    INFO(c.pattern << " vs " << c.value);
    CHECK(match_glob(c.pattern, c.value) == c.matches);
  }
}

TEST_CASE("glob: operators and escapes", "[glob]") {
  const std::vector<GlobCase> cases = {
      {"ab+c", "abbbc", true},
      {"ab+c", "ac", false},
      {"ab?c", "ac", true},
      {"ab?c", "abc", true},
      {"ab?c", "abbc", false},
      {"[a-z]+", "abc", true},
      {"[a-z]+", "aBc", false},
      {"release\\*", "release*", true},
      {"release\\*", "release1", false},
      {"v1\\.0\\?", "v1.0?", true},
      {"a\\[b]", "a[b]", true},
      {"a]", "a]", true},
      {"**/", "a/b/", true},
      {"*/**", "a/b/c", true},
      {"a*b*c*d*e*f", "aXbXcXdXeXfX", false},
      {"a*b*c*d*e*f", "abcdef", true},
  };
  for (const auto& c : cases) {
    INFO(c.pattern << " vs " << c.value);
    CHECK(match_glob(c.pattern, c.value) == c.matches);
  }
}

TEST_CASE("glob: pathological patterns stay fast", "[glob]") {
  const std::string value(2000, 'a');
  CHECK_FALSE(match_glob("**a**a**a**a**a**a**b", value));
  CHECK(match_glob("**a**a**a**a**a**a**", value));
}

TEST_CASE("glob: many globstars and stars on a deep path finish", "[glob]") {
  // Without the memo each `**/` and each `*` tries every split of the path.
  std::string pattern;
  for (int i = 0; i < 16; ++i) {
    pattern += "**/";
  }
  for (int i = 0; i < 16; ++i) {
    pattern += "*a";
  }
  std::string path;
  for (int level = 0; level < 24; ++level) {
    path += std::string(40, 'a') + "/";
  }
  CHECK_FALSE(match_glob(pattern + "*c", path + std::string(40, 'a')));
  CHECK(match_glob(pattern + "*b", path + std::string(40, 'a') + "b"));
}

TEST_CASE("glob: ordered include and negate lists", "[glob]") {
  struct ListCase {
    std::vector<std::string> patterns;
    std::string value;
    bool matches;
  };
  const std::vector<ListCase> cases = {
      // The cheat sheet's two list examples.
      {{"*.md", "!README.md"}, "hello.md", true},
      {{"*.md", "!README.md"}, "README.md", false},
      {{"*.md", "!README.md"}, "docs/hello.md", false},
      {{"*.md", "!README.md", "README*"}, "hello.md", true},
      {{"*.md", "!README.md", "README*"}, "README.md", true},
      {{"*.md", "!README.md", "README*"}, "README.doc", true},
      // The branches example of the workflow syntax page.
      {{"main", "example/branch-1", "example/**-2", "example/**/test", "!example/branch-3",
        "!example/**-2"},
       "example/branch-2", false},
      {{"main", "example/branch-1", "example/**-2", "example/**/test", "!example/branch-3"},
       "example/dev/test", true},
      {{"releases/**", "!releases/**-alpha"}, "releases/beta/3-alpha", false},
      {{"releases/**", "!releases/**-alpha"}, "releases/10", true},
      {{"!main"}, "main", false},
      {{"!main"}, "dev", false},
      {{}, "main", false},
      {{"a!b"}, "a!b", true},
      {{"[unclosed"}, "[unclosed", false},
  };
  for (const auto& c : cases) {
    INFO(c.value);
    CHECK(match_filters(c.patterns, c.value) == c.matches);
  }
}

TEST_CASE("glob: validate_glob explains invalid patterns", "[glob]") {
  struct ValidateCase {
    std::string pattern;
    std::string message;  // empty = valid
  };
  const std::vector<ValidateCase> cases = {
      {"main", ""},
      {"v[12].[0-9]+", ""},
      {"!docs/**", ""},
      {"", "empty pattern"},
      {"!", "pattern '!' negates nothing"},
      {"release/[0-9", "unclosed '[' at position 9"},
      {"a[]b", "empty character class '[]' at position 2"},
      {"[z-a]", "invalid range 'z-a' in '[' at position 1 (ranges may only span a-z, A-Z or 0-9)"},
      {"?abc", "'?' at position 1 has no preceding character"},
      {"!+abc", "'+' at position 2 has no preceding character"},
      {"a+?", "'?' at position 3 follows another '?' or '+'"},
      {"abc\\", "'\\' at position 4 escapes nothing"},
  };
  for (const auto& c : cases) {
    INFO(c.pattern);
    const auto problem = validate_glob(c.pattern);
    if (c.message.empty()) {
      CHECK_FALSE(problem.has_value());
    } else {
      REQUIRE(problem.has_value());
      CHECK(*problem == c.message);
    }
  }
}

TEST_CASE("glob: FilterList reports the first invalid pattern", "[glob]") {
  auto list = FilterList::compile({"main", "feat/[x"});
  REQUIRE_FALSE(list.ok());
  CHECK(list.error().message == "invalid pattern 'feat/[x': unclosed '[' at position 6");
}
