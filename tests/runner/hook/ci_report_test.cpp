// CI mode, GitHub Actions' log format and reports, through the real binary.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <regex>

#include "runner/hook/repo_fixture.hpp"

using pipeline::test::TempRepo;

namespace {

constexpr const char* k_workflow = R"(on: push
jobs:
  first:
    runs-on: ubuntu-latest
    steps:
      - name: greet
        run: echo "hello <&> ünï"; echo "::warning file=src/a.c,line=3::look here"
      - name: break
        run: echo "it broke"; exit 3
      - name: never
        if: false
        run: echo never
  second:
    runs-on: ubuntu-latest
    steps:
      - name: ok
        run: echo fine; echo "## from second" >> "$GITHUB_STEP_SUMMARY"
)";

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// The value of attribute `name` in the first element `<tag ...>` of `xml`.
std::string attribute(const std::string& xml, const std::string& tag, const std::string& name) {
  const std::regex element("<" + tag + "\\s[^>]*\\b" + name + "=\"([^\"]*)\"");
  std::smatch match;
  return std::regex_search(xml, match, element) ? match[1].str() : std::string("(missing)");
}

void seed(const TempRepo& repo) {
  repo.write(".github/workflows/ci.yml", k_workflow);
  REQUIRE(repo.sh("git add -A && git commit -qm init").exit_code == 0);
}

}  // namespace

TEST_CASE("option --report junit writes a suite per job and a case per step; json writes the run record", "[hook][report]") {
  TempRepo repo;
  seed(repo);
  const auto result =
      repo.sh("$PIPE run --backend host -p 1 --report junit=out.xml --report json=out.json > /dev/null");
  CHECK(result.exit_code == 1);
  const std::string xml = repo.read("out.xml");
  REQUIRE_FALSE(xml.empty());
  CHECK(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites ", 0) == 0);
  CHECK(count(xml, "<testsuite ") == 2);
  CHECK(count(xml, "</testsuite>") == 2);
  CHECK(count(xml, "<testcase ") == 4);
  CHECK(count(xml, "<failure ") == 1);
  CHECK(count(xml, "<skipped/>") == 1);
  CHECK(attribute(xml, "testsuites", "tests") == "4");
  CHECK(attribute(xml, "testsuites", "failures") == "1");
  CHECK(attribute(xml, "testsuites", "skipped") == "1");
  CHECK(attribute(xml, "testsuite", "name") == "first");
  CHECK(attribute(xml, "testsuite", "tests") == "3");
  CHECK(attribute(xml, "failure", "message") == "it broke");
  CHECK(std::regex_search(xml, std::regex("<testcase classname=\"first\" name=\"greet\" time=\"[0-9]+\\.[0-9]{3}\"/>")));
  // Markup in output is escaped, never raw.
  CHECK(count(xml, "<&>") == 0);
  // Every '<' opens a known element or closes one: a small well-formedness check.
  const std::regex tag("<(/?)(\\?xml|testsuites|testsuite|testcase|failure|skipped)\\b");
  CHECK(std::distance(std::sregex_iterator(xml.begin(), xml.end(), tag), std::sregex_iterator()) ==
        static_cast<long>(count(xml, "<")));

  const auto json = nlohmann::json::parse(repo.read("out.json"));
  CHECK(json["result"] == "failure");
  CHECK(json["exit_code"] == 1);
  CHECK(json["jobs"].size() == 2);
}

TEST_CASE("option --report junit keeps secrets masked", "[hook][report]") {
  TempRepo repo;
  repo.write(".github/workflows/ci.yml",
             "on: push\njobs:\n  leak:\n    runs-on: ubuntu-latest\n    steps:\n"
             "      - run: echo \"token ${{ secrets.TOKEN }}\"; exit 1\n");
  REQUIRE(repo.sh("git add -A && git commit -qm init").exit_code == 0);
  const auto result = repo.sh("TOKEN=s3cr3t-value $PIPE run --backend host -s TOKEN --report junit=out.xml --report "
                              "json=out.json >/dev/null");
  CHECK(result.exit_code == 1);
  const std::string xml = repo.read("out.xml");
  CHECK(xml.find("s3cr3t-value") == std::string::npos);
  CHECK(xml.find("token ***") != std::string::npos);
  CHECK(repo.read("out.json").find("s3cr3t-value") == std::string::npos);
}

TEST_CASE("CI mode prints plain timestamped lines even on a terminal", "[hook][ci]") {
  TempRepo repo;
  seed(repo);
  // `script` gives pipe a terminal, where it would otherwise use colors.
  const auto tty = repo.sh("script -qec 'env -u NO_COLOR TERM=xterm CI=true \"$PIPE\" run --backend host -p 1' /dev/null");
  CHECK(tty.out.find("[first]") != std::string::npos);
  CHECK(tty.out.find('\x1b') == std::string::npos);
  const auto colored = repo.sh("script -qec 'env -u NO_COLOR TERM=xterm \"$PIPE\" run --backend host -p 1' /dev/null");
  CHECK(colored.out.find('\x1b') != std::string::npos);

  const auto plain = repo.sh("CI=true $PIPE run --backend host -p 1");
  CHECK(plain.exit_code == 1);
  const std::regex stamped("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z \\[first\\] ");
  std::size_t stamped_lines = 0;
  std::istringstream lines(plain.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("[first]") != std::string::npos || line.find("[second]") != std::string::npos) {
      CHECK(std::regex_search(line, std::regex("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z \\[")));
      stamped_lines += std::regex_search(line, stamped) ? 1 : 0;
    }
  }
  CHECK(stamped_lines > 3);
  // --no-ci wins over CI=true.
  const auto off = repo.sh("CI=true $PIPE run --backend host -p 1 --no-ci");
  CHECK(std::regex_search(off.out, std::regex("(^|\\n)\\[first\\] ")));
}

TEST_CASE("inside GitHub Actions: groups, annotations as commands, the step summary", "[hook][ci]") {
  TempRepo repo;
  seed(repo);
  const auto result =
      repo.sh("CI=true GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=\"$PWD/summary.md\" $PIPE run --backend host");
  CHECK(result.exit_code == 1);
  CHECK(count(result.out, "::group::") == 2);
  CHECK(count(result.out, "::endgroup::") == 2);
  CHECK(result.out.find("::group::first\n") != std::string::npos);
  CHECK(result.out.find("::warning file=src/a.c,line=3,title=first::look here\n") != std::string::npos);
  CHECK(result.out.find("::error title=first::Process completed with exit code 3.\n") != std::string::npos);
  // Groups never interleave: each ::group:: is closed before the next opens.
  std::size_t open = 0;
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("::group::", 0) == 0) {
      CHECK(open == 0);
      ++open;
    } else if (line == "::endgroup::") {
      CHECK(open == 1);
      --open;
    }
  }
  const std::string summary = repo.read("summary.md");
  CHECK(summary.find("| first | ❌ failure |") != std::string::npos);
  CHECK(summary.find("| second | ✅ success |") != std::string::npos);
  CHECK(summary.find("## from second") != std::string::npos);
}

TEST_CASE("inside a container with no engine, jobs run on the host with a one-line notice", "[hook][ci]") {
  if (!std::filesystem::exists("/.dockerenv") && !std::filesystem::exists("/run/.containerenv")) {
    WARN("skipped: the test itself does not run inside a container");
    return;
  }
  TempRepo repo;
  repo.write(".github/workflows/ci.yml",
             "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo on-host\n");
  REQUIRE(repo.sh("git add -A && git commit -qm init").exit_code == 0);
  const auto result = repo.sh("DOCKER_HOST=unix:///nonexistent/engine.sock $PIPE run");
  CHECK(result.exit_code == 0);
  CHECK(count(result.out, "pipe runs inside a container and no engine answers: --backend host\n") == 1);
  CHECK(result.out.find("on-host") != std::string::npos);
}

TEST_CASE("the step summary escapes step names inside HTML", "[hook][ci]") {
  TempRepo repo;
  repo.write(".github/workflows/ci.yml",
             "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - name: a <b> step\n"
             "        run: exit 1\n");
  REQUIRE(repo.sh("git add -A && git commit -qm init").exit_code == 0);
  REQUIRE(repo.sh("CI=true GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=\"$PWD/s.md\" $PIPE run --backend host").exit_code == 1);
  CHECK(repo.read("s.md").find("<summary>j › a &lt;b&gt; step failed</summary>") != std::string::npos);
}
