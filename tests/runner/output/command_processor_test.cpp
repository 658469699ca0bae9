#include <catch2/catch.hpp>

#include "runner/output/command_processor.hpp"

using namespace pipeline::runner::output;

namespace {

template <class T>
const T* first(const std::vector<CommandEvent>& events) {
  for (const auto& e : events) {
    if (const auto* t = std::get_if<T>(&e)) {
      return t;
    }
  }
  return nullptr;
}

}  // namespace

TEST_CASE("plain and unknown lines are output unchanged", "[commands]") {
  CommandProcessor p;
  for (std::string line : {"hello", "::unknown-cmd::data", "::WARNINGX::x"}) {
    const auto events = p.process(line);
    REQUIRE(events.size() == 1);
    CHECK(std::get<event::Output>(events[0]).text == line);
  }
}

TEST_CASE("annotations carry their location", "[commands]") {
  CommandProcessor p;
  const auto events = p.process("::error file=src/a.c,line=10,endLine=12,col=3,endColumn=9,title=Oops::broken");
  REQUIRE(events.size() == 1);
  const auto& a = std::get<event::Annotation>(events[0]);
  CHECK(a.level == Level::error);
  CHECK(a.message == "broken");
  CHECK(a.file == "src/a.c");
  CHECK(a.line == 10);
  CHECK(a.end_line == 12);
  CHECK(a.column == 3);
  CHECK(a.end_column == 9);
  CHECK(a.title == "Oops");
  CHECK(std::get<event::Annotation>(p.process("::NOTICE::n")[0]).level == Level::notice);
  CHECK(std::get<event::Annotation>(p.process("::warning line=x::w")[0]).line == std::nullopt);
}

TEST_CASE("add-mask, group, debug and deprecated commands map to events", "[commands]") {
  CommandProcessor p;
  CHECK(std::get<event::AddMask>(p.process("::add-mask::s3cret")[0]).value == "s3cret");
  CHECK(std::get<event::RunnerMessage>(p.process("::add-mask::  ")[0]).message ==
        "Can't add secret mask for empty string in ##[add-mask] command.");
  CHECK(std::get<event::Group>(p.process("::group::Build")[0]).title == "Build");
  CHECK(std::holds_alternative<event::EndGroup>(p.process("::endgroup::")[0]));
  CHECK(std::get<event::Debug>(p.process("::debug::d")[0]).message == "d");

  const auto out = p.process("::set-output name=result::42");
  REQUIRE(first<event::SetOutput>(out));
  CHECK(first<event::SetOutput>(out)->name == "result");
  CHECK(first<event::SetOutput>(out)->value == "42");
  CHECK(first<event::RunnerMessage>(out)->message == deprecated_command_message("set-output"));
  CHECK(first<event::SaveState>(p.process("::save-state name=k::v"))->value == "v");

  const auto missing = p.process("::set-output::42");
  REQUIRE(missing.size() == 2);
  CHECK(std::get<event::RunnerMessage>(missing[0]).message == "Unable to process command '::set-output::42' successfully.");
  CHECK(std::get<event::RunnerMessage>(missing[1]).message == "Required field 'name' is missing in ##[set-output] command.");
  CHECK(std::get<event::RunnerMessage>(missing[1]).fails_step);
}

TEST_CASE("set-env and add-path are refused unless unsecure commands are allowed", "[commands]") {
  CommandProcessor refused;
  const auto events = refused.process("::set-env name=A::b");
  REQUIRE(events.size() == 2);
  CHECK(std::get<event::RunnerMessage>(events[1]).message ==
        "The `set-env` command is disabled. Please upgrade to using Environment Files or opt into unsecure command "
        "execution by setting the `ACTIONS_ALLOW_UNSECURE_COMMANDS` environment variable to `true`. For more "
        "information see: https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/");
  CHECK(std::get<event::RunnerMessage>(refused.process("::add-path::/x")[1]).message ==
        unsecure_command_disabled_message("add-path"));

  CommandProcessor allowed(CommandSettings{.allow_unsecure_commands = true});
  CHECK(std::get<event::SetEnv>(allowed.process("::set-env name=A::b")[0]).value == "b");
  CHECK(std::get<event::AddPath>(allowed.process("::add-path::/opt/bin")[0]).path == "/opt/bin");
  CHECK(std::get<event::RunnerMessage>(allowed.process("::set-env name=node_options::x")[0]).message ==
        "Can't update NODE_OPTIONS environment variable using ::set-env:: command.");
}

TEST_CASE("stop-commands pauses until the token line", "[commands]") {
  CommandProcessor p;
  CHECK(p.process("::stop-commands::tok-123").size() == 2);
  CHECK(p.stopped());
  const auto ignored = p.process("::add-mask::not-a-mask");
  REQUIRE(ignored.size() == 1);
  CHECK(std::get<event::Output>(ignored[0]).text == "::add-mask::not-a-mask");
  CHECK(first<event::Debug>(p.process("::tok-123::"))->message == "Resume processing commands");
  CHECK_FALSE(p.stopped());
  CHECK(std::holds_alternative<event::AddMask>(p.process("::add-mask::now-masked")[0]));

  for (std::string bad : {"::stop-commands::", "::stop-commands::pause-logging", "::stop-commands::add-mask"}) {
    CommandProcessor q;
    const auto events = q.process(bad);
    CAPTURE(bad);
    REQUIRE(first<event::RunnerMessage>(events));
    CHECK(first<event::RunnerMessage>(events)->message.starts_with("You cannot use a endToken that is an empty string"));
    CHECK_FALSE(q.stopped());
  }
}

TEST_CASE("echo on repeats commands except the ones the runner omits", "[commands]") {
  CommandProcessor p;
  CHECK(std::get<event::Echo>(p.process("::echo::on")[0]).on);
  const auto group = p.process("::group::G");
  CHECK(std::get<event::Output>(group[0]).text == "::group::G");
  const auto mask = p.process("::add-mask::secret-value");
  CHECK(std::get<event::Output>(mask[0]).text == "::add-mask::***");
  CHECK(std::holds_alternative<event::Annotation>(p.process("::warning::w")[0]));
  const auto off = p.process("::echo::OFF");
  CHECK(std::get<event::Output>(off[0]).text == "::echo::OFF");
  CHECK(std::holds_alternative<event::Group>(p.process("::group::G")[0]));
  const auto bad = p.process("::echo::maybe");
  CHECK(std::get<event::RunnerMessage>(bad[1]).message ==
        "Invalid echo command value. Possible values can be: 'on', 'off'. Current value is: 'maybe'.");
}

TEST_CASE("an unknown modern command falls back to a legacy one on the same line", "[commands]") {
  CommandProcessor p;
  const auto events = p.process("::unknown::##[warning]legacy wins");
  REQUIRE(events.size() == 1);
  CHECK(std::get<event::Annotation>(events[0]).message == "legacy wins");
}
