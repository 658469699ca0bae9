// The live view drawn into a model terminal: output above, one line per running job below,
// nothing left of it when the run ends; widths, Unicode, 50 jobs, resizes and --follow.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "runner/engine/live_view.hpp"
#include "runner/engine/text_width.hpp"
#include "runner/output/masker.hpp"

using namespace pipeline::runner;
using namespace pipeline::runner::engine;
using namespace std::chrono_literals;

namespace {

const auto k_start = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795314681000LL));

// A terminal that understands exactly what the live view may write: text, CR, LF, cursor up,
// erase below and colors. Any other escape sequence fails the test.
struct Screen {
  std::vector<std::string> rows{""};
  std::size_t row = 0;

  void feed(std::string_view bytes) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      const char c = bytes[i];
      if (c == '\n') {
        if (++row == rows.size()) {
          rows.emplace_back();
        }
      } else if (c == '\r') {
        REQUIRE(rows[row].empty());  // the view returns to column 0 only at a line start
      } else if (c == '\x1b') {
        REQUIRE(i + 1 < bytes.size());
        REQUIRE(bytes[i + 1] == '[');
        std::size_t end = i + 2;
        while (end < bytes.size() && (std::isdigit(static_cast<unsigned char>(bytes[end])) || bytes[end] == ';')) {
          ++end;
        }
        REQUIRE(end < bytes.size());
        const std::string params(bytes.substr(i + 2, end - i - 2));
        switch (bytes[end]) {
          case 'm': break;
          case 'A': row -= std::min<std::size_t>(row, params.empty() ? 1 : std::stoul(params)); break;
          case 'J':
            REQUIRE(params.empty());
            rows.resize(row + 1);
            rows[row].clear();
            break;
          default: FAIL("unexpected escape sequence ending in " << bytes[end]);
        }
        i = end;
      } else {
        rows[row] += c;
      }
    }
  }
  // The rows with text, top to bottom.
  [[nodiscard]] std::vector<std::string> text() const {
    std::vector<std::string> out;
    for (const auto& r : rows) {
      if (!r.empty()) {
        out.push_back(r);
      }
    }
    return out;
  }
};

struct Fixture {
  std::ostringstream out;
  std::size_t fed = 0;
  Screen screen;
  TerminalSize size{80, 40};
  std::chrono::system_clock::time_point now = k_start;
  LiveView view;

  explicit Fixture(LiveViewOptions options = {ColorMode::plain, {}, 100ms, 10})
      : view(out, std::move(options), [this] { return size; }, [this] { return now; }) {}

  void post(EventKind kind, std::string job, std::string step = {}, std::string text = {}) {
    Event e;
    e.kind = kind;
    e.job = std::move(job);
    e.step = std::move(step);
    e.text = std::move(text);
    e.time = now;
    view.handle(e);
  }
  // Time passes and the reporter flushes; what was written reaches the screen.
  void tick(std::chrono::milliseconds step = 150ms) {
    now += step;
    view.flush();
    sync();
  }
  void sync() {
    const std::string all = out.str();
    screen.feed(std::string_view(all).substr(fed));
    fed = all.size();
  }
};

bool has_spinner(const std::string& row) {
  for (std::string_view frame : {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}) {
    if (row.find(frame) != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("live view: output scrolls above one line per running job", "[live]") {
  Fixture f;
  f.post(EventKind::job_started, "build");
  f.post(EventKind::job_started, "test (linux, 20)");
  f.post(EventKind::step_started, "build", "Compile");
  f.post(EventKind::output, "build", "Compile", "hello\nworld\n");
  f.tick(2100ms);
  auto rows = f.screen.text();
  REQUIRE(rows.size() == 7);
  CHECK(rows[3] == "[build]   | hello");
  CHECK(rows[4] == "[build]   | world");
  CHECK(has_spinner(rows[5]));
  CHECK_THAT(rows[5], Catch::EndsWith(" build › Compile  2s"));
  CHECK_THAT(rows[6], Catch::EndsWith(" test (linux, 20) › starting  2s"));

  f.post(EventKind::job_finished, "build");
  f.tick();
  rows = f.screen.text();
  CHECK(rows[5] == "[build] ✓ Job succeeded (0ms)");
  CHECK_THAT(rows.back(), Catch::EndsWith(" test (linux, 20) › starting  2s"));
  CHECK(std::count_if(rows.begin(), rows.end(), has_spinner) == 1);

  f.post(EventKind::job_finished, "test (linux, 20)");
  f.view.finish();
  f.sync();
  rows = f.screen.text();
  CHECK(rows.back() == "[test (linux, 20)] ✓ Job succeeded (0ms)");
  CHECK(std::none_of(rows.begin(), rows.end(), has_spinner));
}

TEST_CASE("live view: at most one frame per interval, and the spinner moves without events", "[live]") {
  Fixture f;
  f.post(EventKind::job_started, "build");
  f.tick();
  const auto after_first = f.out.str().size();
  f.post(EventKind::output, "build", "s", "x");
  f.tick(10ms);
  CHECK(f.out.str().size() == after_first);  // held back until the next frame
  f.tick(100ms);
  CHECK(f.out.str().size() > after_first);
  CHECK(f.screen.text().front() == "[build] Job started");
  CHECK(f.screen.text()[1] == "[build]   | x");
  const auto before_quiet_frame = f.out.str().size();
  f.tick(100ms);  // a refresh with no event: the clock and spinner move
  CHECK(f.out.str().size() > before_quiet_frame);
}

TEST_CASE("live view: much output is written at once, whatever the frame rate", "[live]") {
  Fixture f;
  f.post(EventKind::job_started, "build");
  f.tick();
  const auto before = f.out.str().size();
  f.post(EventKind::output, "build", "s", std::string(LiveView::k_max_held_text, 'x'));
  f.tick(1ms);
  CHECK(f.out.str().size() > before + LiveView::k_max_held_text);
}

TEST_CASE("live view: 50 parallel jobs are capped with +N more", "[live]") {
  Fixture f;
  for (int i = 0; i < 50; ++i) {
    f.post(EventKind::job_started, "job " + std::to_string(i));
  }
  f.tick();
  auto live = f.screen.text();
  live.erase(live.begin(), live.begin() + 50);  // the 50 "Job started" lines
  REQUIRE(live.size() == 10);
  CHECK_THAT(live[0], Catch::Contains("job 0 ›"));
  CHECK(live[9] == "  +41 more running");

  f.size.rows = 12;  // a short screen: half of it at most
  f.tick();
  live = f.screen.text();
  live.erase(live.begin(), live.begin() + 50);
  REQUIRE(live.size() == 6);
  CHECK(live[5] == "  +45 more running");
}

TEST_CASE("live view: long and wide lines are cut to the width, never wrapped", "[live]") {
  Fixture f;
  f.size.columns = 30;
  f.post(EventKind::job_started, std::string(100, 'j'));
  f.post(EventKind::job_started, "ビルド");
  f.post(EventKind::step_started, "ビルド", "テストを実行する長いステップの名前");
  f.post(EventKind::job_started, "tab\tname");
  f.tick();
  const auto rows = f.screen.text();
  REQUIRE(rows.size() == 7);  // three "Job started", one "▶", three live lines
  for (std::size_t i = 4; i < 7; ++i) {
    INFO(rows[i]);
    CHECK(display_width(rows[i]) <= 29);
  }
  CHECK_THAT(rows[4], Catch::Contains("…  0s"));
  CHECK_THAT(rows[5], Catch::Contains("ビルド › テ"));
  CHECK_THAT(rows[6], Catch::Contains("tab name › starting"));  // a control character is a space
}

TEST_CASE("live view: a narrower terminal erases the rows its reflow made", "[live]") {
  Fixture f;
  f.post(EventKind::job_started, std::string(60, 'j'));
  f.tick();
  f.size.columns = 30;  // the 77-column line now takes 3 rows
  f.tick();
  const std::string all = f.out.str();
  CHECK(all.find("\r\x1b[3A\x1b[J") != std::string::npos);
}

TEST_CASE("live view: --follow scrolls one job's output, every job's result", "[live]") {
  Fixture f({ColorMode::plain, "test", 100ms, 10});
  f.post(EventKind::job_started, "build");
  f.post(EventKind::job_started, "test (1)");
  f.post(EventKind::step_started, "build", "Compile");
  f.post(EventKind::output, "build", "Compile", "build output");
  f.post(EventKind::step_started, "test (1)", "Check");
  f.post(EventKind::output, "test (1)", "Check", "test output");
  f.post(EventKind::job_finished, "build");
  f.tick();
  const auto rows = f.screen.text();
  const auto shown = [&](std::string_view text) {
    return std::any_of(rows.begin(), rows.end(), [&](const std::string& r) { return r.find(text) != std::string::npos; });
  };
  CHECK(shown("[test (1)]   | test output"));
  CHECK_FALSE(shown("build output"));
  CHECK_FALSE(shown("▶ Compile"));
  CHECK(shown("[build] ✓ Job succeeded"));
  CHECK_THAT(rows.back(), Catch::Contains("test (1) › Check"));
}

TEST_CASE("live view: colors stay inside well-formed sequences and are reset before live lines", "[live]") {
  Fixture f({ColorMode::ansi, {}, 100ms, 10});
  f.post(EventKind::job_started, "build");
  f.post(EventKind::output, "build", "s", "\x1b[31mred without reset");
  f.tick();
  const std::string all = f.out.str();
  CHECK(all.find("\x1b[0m\x1b[36m⠙") != std::string::npos);
}

TEST_CASE("live view: names reach it masked", "[live]") {
  output::Masker masker;
  REQUIRE(masker.add_secret("s3cr3tvalue") == output::AddResult::added);
  Fixture f;
  {
    Reporter reporter({&f.view}, &masker);
    Event started;
    started.kind = EventKind::job_started;
    started.job = "deploy s3cr3tvalue";
    started.time = f.now;
    reporter.post(started);
    reporter.stop();
  }
  f.tick();
  const std::string all = f.out.str();
  CHECK(all.find("s3cr3tvalue") == std::string::npos);
  CHECK(all.find("deploy *** › starting") != std::string::npos);
}
