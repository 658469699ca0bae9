// The pieces of `pipe hook` and CI output as plain function calls.
#include <catch2/catch.hpp>

#include <optional>
#include <sstream>

#include "runner/engine/ci_output.hpp"
#include "runner/engine/report_junit.hpp"
#include "runner/hook/hook_config.hpp"
#include "runner/hook/install.hpp"
#include "runner/hook/repo_fixture.hpp"
#include "runner/hook/snapshot.hpp"

using namespace pipeline::runner;
using pipeline::test::TempRepo;

namespace {

engine::Event event(engine::EventKind kind, const std::string& job, const std::string& text = {}) {
  engine::Event e;
  e.kind = kind;
  e.job = job;
  e.text = text;
  e.step = text;
  return e;
}

}  // namespace

TEST_CASE("xml_text escapes markup, drops control characters and repairs UTF-8", "[hook][report]") {
  struct Case {
    std::string in;
    std::string out;
  };
  const std::vector<Case> cases{
      {"a<b>&\"'", "a&lt;b&gt;&amp;&quot;&apos;"},
      {"tab\tnl\n", "tab\tnl\n"},
      {std::string("nul\0bell\a", 9), "nulbell"},
      {"\x1b[31mred\x1b[0m", "red"},
      {"ünï €", "ünï €"},
      {"bad \xff byte", "bad \xEF\xBF\xBD byte"},
      {"cut \xE2\x82", "cut \xEF\xBF\xBD\xEF\xBF\xBD"},
      {"surrogate \xED\xA0\x80", "surrogate \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
  };
  for (const auto& c : cases) {
    CHECK(engine::xml_text(c.in) == c.out);
  }
}

TEST_CASE("render_junit counts steps, failures and skips; a job without steps is one case", "[hook][report]") {
  using engine::NodeResult;
  std::vector<engine::JobRecord> jobs{
      {"build", NodeResult::failure, std::chrono::milliseconds(1500),
       {{"compile", NodeResult::success, std::chrono::milliseconds(1000), {}},
        {"test", NodeResult::failure, std::chrono::milliseconds(500), {"first", "last line"}},
        {"deploy", NodeResult::skipped, {}, {}}}},
      {"docs", NodeResult::skipped, {}, {}},
  };
  const auto xml = engine::render_junit(jobs, std::chrono::milliseconds(2000));
  CHECK(xml.find("<testsuites name=\"pipe\" tests=\"4\" failures=\"1\" errors=\"0\" skipped=\"2\" time=\"2.000\">") !=
        std::string::npos);
  CHECK(xml.find("<failure message=\"last line\" type=\"failure\">first\nlast line\n</failure>") != std::string::npos);
  CHECK(xml.find("<testcase classname=\"docs\" name=\"docs\" time=\"0.000\">\n      <skipped/>") != std::string::npos);
}

TEST_CASE("render_junit's failure message is the last line that is not blank", "[hook][report]") {
  using engine::NodeResult;
  std::vector<engine::JobRecord> jobs{
      {"build", NodeResult::failure, std::chrono::milliseconds(1500),
       {{"test", NodeResult::failure, std::chrono::milliseconds(500), {"first", "said it", "", "  "}},
        {"lint", NodeResult::failure, std::chrono::milliseconds(500), {""}}}},
  };
  const auto xml = engine::render_junit(jobs, std::chrono::milliseconds(2000));
  CHECK(xml.find("<failure message=\"said it\" type=\"failure\">first\nsaid it\n\n  \n</failure>") != std::string::npos);
  CHECK(xml.find("<failure message=\"failure\" type=\"failure\">\n</failure>") != std::string::npos);
}

TEST_CASE("GitHubActionsSink never interleaves groups of parallel jobs", "[hook][ci]") {
  using engine::EventKind;
  std::ostringstream out;
  engine::GitHubActionsSink sink(out);
  sink.handle(event(EventKind::job_started, "a"));
  sink.handle(event(EventKind::job_started, "b"));
  sink.handle(event(EventKind::output, "b", "from b"));
  sink.handle(event(EventKind::output, "a", "from a"));
  sink.handle(event(EventKind::job_started, "c"));
  sink.handle(event(EventKind::job_finished, "b"));
  sink.handle(event(EventKind::job_finished, "a"));
  sink.handle(event(EventKind::output, "c", "from c"));
  sink.finish();
  CHECK(out.str() ==
        "::group::a\nJob started\n  | from a\n✓ Job succeeded (0ms)\n::endgroup::\n"
        "::group::b\nJob started\n  | from b\n✓ Job succeeded (0ms)\n::endgroup::\n"
        "::group::c\nJob started\n  | from c\n::endgroup::\n");
}

TEST_CASE("render_workflow_command escapes data and properties as the runner reads them", "[hook][ci]") {
  engine::Annotation a;
  a.level = engine::AnnotationLevel::warning;
  a.file = "a,b:c.txt";
  a.line = 4;
  a.column = 2;
  a.title = "T";
  a.message = "100% bad\nsecond";
  CHECK(engine::render_workflow_command(a, "job") ==
        "::warning file=a%2Cb%3Ac.txt,line=4,col=2,title=job%3A T::100%25 bad%0Asecond");
}

TEST_CASE("the index export holds staged content only, with modes", "[hook]") {
  TempRepo repo;
  repo.write("a.txt", "committed\n");
  repo.write("tool.sh", "#!/bin/sh\n");
  REQUIRE(repo.sh("chmod +x tool.sh && git add -A && git commit -qm init").exit_code == 0);
  repo.write("a.txt", "staged\n");
  repo.write("new/b.txt", "new\n");
  REQUIRE(repo.sh("git add a.txt new/b.txt").exit_code == 0);
  repo.write("a.txt", "unstaged\n");
  repo.write("untracked.txt", "x\n");

  const auto staged = hook::staged_files(repo.dir());
  REQUIRE(staged);
  CHECK(*staged == std::vector<std::string>{"a.txt", "new/b.txt"});

  TempRepo target;  // any empty directory will do
  const std::string out = target.dir() + "/export";
  const auto written = hook::export_index(repo.dir(), out);
  REQUIRE(written);
  CHECK(*written == 3);
  std::ifstream in(out + "/a.txt");
  std::string line;
  std::getline(in, line);
  CHECK(line == "staged");
  CHECK(std::filesystem::exists(out + "/new/b.txt"));
  CHECK_FALSE(std::filesystem::exists(out + "/untracked.txt"));
  CHECK((std::filesystem::status(out + "/tool.sh").permissions() & std::filesystem::perms::owner_exec) !=
        std::filesystem::perms::none);
}

TEST_CASE("pre-push lines: deletions are left out", "[hook]") {
  std::istringstream in(
      "refs/heads/main 1111111111111111111111111111111111111111 refs/heads/main "
      "2222222222222222222222222222222222222222\n"
      "(delete) 0000000000000000000000000000000000000000 refs/heads/old 3333333333333333333333333333333333333333\n");
  const auto refs = hook::parse_pre_push(in);
  REQUIRE(refs.size() == 1);
  CHECK(refs[0].local_sha == "1111111111111111111111111111111111111111");
  CHECK(refs[0].remote_ref == "refs/heads/main");
}

TEST_CASE("hook.jobs is read as a list or a comma-separated string", "[hook]") {
  TempRepo repo;
  repo.write(".pipe.yml", "hook:\n  jobs: lint, test\n  workflow: ci/lint.yml\n");
  auto config = hook::read_hook_config(repo.dir());
  REQUIRE(config);
  CHECK(config->jobs == std::vector<std::string>{"lint", "test"});
  CHECK(config->workflow == "ci/lint.yml");
  repo.write(".pipe.yml", "hook:\n  jobs: [a]\n");
  CHECK(hook::read_hook_config(repo.dir())->jobs == std::vector<std::string>{"a"});
  repo.write(".pipe.yml", "hook: [unclosed\n");
  CHECK_FALSE(hook::read_hook_config(repo.dir()));
}

TEST_CASE("the hook script quotes its arguments and feeds pre-push stdin to both hooks", "[hook]") {
  const auto script = hook::hook_script("/opt/my pipe/pipe", {hook::Stage::pre_push, {"lint", "it's"}, ""});
  CHECK(script.find("'/opt/my pipe/pipe' hook run --stage pre-push --jobs 'lint,it'\\''s' < \"$stdin_file\"") !=
        std::string::npos);
  CHECK(script.find("\"$hook_dir/pre-push.pipe-chained\" \"$@\" < \"$stdin_file\" || exit $?") != std::string::npos);
}

TEST_CASE("the hook script carries the backend and warm choices given to install", "[hook]") {
  struct Case {
    std::string backend;
    std::optional<bool> warm;
    std::string command;
  };
  const std::vector<Case> cases{
      {"", std::nullopt, "hook run --stage pre-commit\n"},
      {"host", std::nullopt, "hook run --stage pre-commit --backend 'host'\n"},
      {"docker", false, "hook run --stage pre-commit --backend 'docker' --no-warm\n"},
      {"", true, "hook run --stage pre-commit --warm\n"},
  };
  for (const auto& c : cases) {
    hook::HookSettings settings;
    settings.backend = c.backend;
    settings.warm = c.warm;
    const auto script = hook::hook_script("pipe", settings);
    CHECK(script.find("'pipe' " + c.command) != std::string::npos);
  }
}

TEST_CASE("sinks split output events that carry several lines", "[hook][ci]") {
  using engine::EventKind;
  CHECK(engine::output_lines("a\nb\r\n") == std::vector<std::string>{"a", "b"});
  CHECK(engine::output_lines("") == std::vector<std::string>{""});

  std::ostringstream github_out;
  engine::GitHubActionsSink github(github_out);
  github.handle(event(EventKind::output, "j", "one\n::error::not a command\n"));
  github.finish();
  CHECK(github_out.str() == "::group::j\n  | one\n  | ::error::not a command\n::endgroup::\n");

  engine::SummaryCollector recorder;
  recorder.handle(event(EventKind::step_started, "j", "s"));
  recorder.handle(event(EventKind::output, "j", "x\ny\n"));
  auto failed = event(EventKind::step_finished, "j", "s");
  failed.result = engine::NodeResult::failure;
  recorder.handle(failed);
  REQUIRE(recorder.jobs().size() == 1);
  CHECK(recorder.jobs()[0].steps[0].tail == std::vector<std::string>{"x", "y"});

  std::ostringstream compact_out;
  engine::CompactSink compact(compact_out);
  compact.handle(event(EventKind::step_started, "j", "s"));
  compact.handle(event(EventKind::output, "j", "x\ny\n"));
  compact.handle(failed);
  auto job_failed = event(EventKind::job_finished, "j");
  job_failed.result = engine::NodeResult::failure;
  compact.handle(job_failed);
  CHECK(compact_out.str() == "✗ j (0ms)\n    --- s (failed)\n    x\n    y\n");
}
