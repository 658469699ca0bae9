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
