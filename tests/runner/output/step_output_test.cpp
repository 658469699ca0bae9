#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "runner/output/step_output.hpp"

using namespace pipeline::runner;
using namespace pipeline::runner::output;

namespace {

// Renders every event as the text a user could see, so tests can grep it for secrets.
std::string render(const CommandEvent& event) {
  return std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, event::Output>) {
          return e.text;
        } else if constexpr (std::is_same_v<T, event::Group>) {
          return "group:" + e.title;
        } else if constexpr (std::is_same_v<T, event::Annotation>) {
          return "annotation:" + e.message + "|" + e.title.value_or("");
        } else if constexpr (std::is_same_v<T, event::Debug>) {
          return "debug:" + e.message;
        } else if constexpr (std::is_same_v<T, event::RunnerMessage>) {
          return "runner:" + e.message;
        } else {
          return "";
        }
      },
      event);
}

}  // namespace

TEST_CASE("a step's output is split, interpreted and masked before anyone sees it", "[step]") {
  Masker masker;
  (void)masker.add_secret("known-secret-1");
  std::vector<std::string> shown;
  std::vector<std::string> outputs;
  StepOutput sink(masker, CommandSettings{}, [&](Stream, CommandEvent event) {
    if (const auto* o = std::get_if<event::SetOutput>(&event)) {
      outputs.push_back(o->value);
    }
    shown.push_back(render(event));
  });
  const std::string text =
      "start known-secret-1\n"
      "::add-mask::dyn-secret-2\n"
      "value dyn-secret-2 and ZHluLXNlY3JldC0y\n"
      "::group::deploy with dyn-secret-2\n"
      "::error title=known-secret-1::failed with dyn-secret-2\n"
      "::set-output name=token::dyn-secret-2\n"
      "::debug::debug dyn-secret-2\n"
      "tail without newline dyn-secret-2";
  for (std::size_t at = 0; at < text.size(); at += 5) {
    sink.write(Stream::out, std::string_view(text).substr(at, 5));
  }
  sink.finish();
  std::string all;
  for (const auto& s : shown) {
    all += s + "\n";
  }
  CAPTURE(all);
  CHECK(all.find("known-secret-1") == std::string::npos);
  CHECK(all.find("dyn-secret-2") == std::string::npos);
  CHECK(all.find("ZHluLXNlY3JldC0y") == std::string::npos);
  CHECK(all.find("start ***") != std::string::npos);
  CHECK(all.find("group:deploy with ***") != std::string::npos);
  CHECK(all.find("annotation:failed with ***|***") != std::string::npos);
  CHECK(all.find("tail without newline ***") != std::string::npos);
  CHECK(outputs == std::vector<std::string>{"dyn-secret-2"});
}

namespace {

// Every shown line, one per entry, however the sink batched them.
struct ShownLines {
  std::vector<std::string> lines;
  std::size_t events = 0;
  void add(const CommandEvent& event) {
    ++events;
    if (std::holds_alternative<event::AddMask>(event)) {
      return;  // shows nothing (echo is off)
    }
    std::string text = render(event);
    if (!std::holds_alternative<event::Output>(event)) {
      lines.push_back(text);
      return;
    }
    if (text.empty() || text.back() != '\n') {
      text += '\n';  // a single line comes without its end, a batch with every line's end
    }
    for (std::size_t at = 0; at < text.size();) {
      const auto nl = text.find('\n', at);
      lines.push_back(text.substr(at, nl - at));
      at = nl + 1;
    }
  }
};

std::vector<std::string> show(Masker& masker, const std::string& text, std::size_t chunk, ShownLines& shown) {
  StepOutput sink(masker, CommandSettings{}, [&](Stream, CommandEvent event) { shown.add(event); });
  for (std::size_t at = 0; at < text.size(); at += chunk) {
    sink.write(Stream::out, std::string_view(text).substr(at, chunk));
  }
  sink.finish();
  return shown.lines;
}

}  // namespace

TEST_CASE("batched plain lines are masked like single lines, across read boundaries", "[step]") {
  const std::string text =
      "alpha known-secret-1 beta\n"
      "line two\n"
      "\n"
      "multi-first\n"
      "multi-second\n"
      "split known-secret-1 here known-secret-1\n"
      "::add-mask::late-mask\n"
      "now late-mask and known-secret-1\n"
      "crlf late-mask\r\n"
      "trailing empty lines follow\n"
      "\n"
      "\n"
      "last late-mask";
  const std::vector<std::string> expected{"alpha *** beta",
                                          "line two",
                                          "",
                                          "***",
                                          "***",
                                          "split *** here ***",
                                          "now *** and ***",
                                          "crlf ***",
                                          "trailing empty lines follow",
                                          "",
                                          "",
                                          "last ***"};
  // Every chunk size, so a secret, a line end or a command falls on every read boundary.
  for (std::size_t chunk = 1; chunk <= text.size(); ++chunk) {
    Masker masker;
    (void)masker.add_secret("known-secret-1");
    (void)masker.add_secret("multi-first\nmulti-second");
    ShownLines shown;
    CAPTURE(chunk);
    CHECK(show(masker, text, chunk, shown) == expected);
  }
}

TEST_CASE("plain lines of one read travel as one event", "[step]") {
  Masker masker;
  (void)masker.add_secret("known-secret-1");
  std::string text;
  for (int i = 0; i < 100; ++i) {
    text += "line " + std::to_string(i) + " known-secret-1\n";
  }
  ShownLines shown;
  show(masker, text, text.size(), shown);
  CHECK(shown.events == 1);
  REQUIRE(shown.lines.size() == 100);
  CHECK(shown.lines[42] == "line 42 ***");
}

TEST_CASE("a read holding a command is interpreted line by line", "[step]") {
  Masker masker;
  ShownLines shown;
  const std::string text = "before\n::group::G\ninside ##[not a command\n::endgroup::\nafter\n";
  show(masker, text, text.size(), shown);
  CHECK(shown.lines == std::vector<std::string>{"before", "group:G", "inside ##[not a command", "", "after"});
}

TEST_CASE("a line completed by a read travels with the rest of that read", "[step]") {
  Masker masker;
  std::vector<std::string> texts;
  StepOutput sink(masker, CommandSettings{}, [&](Stream, CommandEvent event) { texts.push_back(render(event)); });
  sink.write(Stream::out, "par");
  sink.write(Stream::out, "tial\nb\nc\nd");
  sink.write(Stream::err, "e\n");
  sink.finish();
  CHECK(texts == std::vector<std::string>{"partial\nb\nc\n", "e\n", "d\n"});
}
