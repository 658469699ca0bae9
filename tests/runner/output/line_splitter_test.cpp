#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "runner/output/line_splitter.hpp"

using namespace pipeline::runner;
using namespace pipeline::runner::output;

namespace {

struct Recorder {
  std::vector<std::string> lines;
  LineSplitter splitter{[this](Stream s, std::string_view line) {
    lines.push_back(std::string(s == Stream::out ? "out:" : "err:") + std::string(line));
  }};
};

}  // namespace

TEST_CASE("lines are forwarded whole whatever the chunking", "[lines]") {
  const std::string text = "one\ntwo\r\n\nthree";
  for (std::size_t split = 0; split <= text.size(); ++split) {
    Recorder r;
    r.splitter.write(Stream::out, text.substr(0, split));
    r.splitter.write(Stream::out, text.substr(split));
    CHECK(r.lines == std::vector<std::string>{"out:one", "out:two", "out:"});
    r.splitter.flush();
    CHECK(r.lines.back() == "out:three");
  }
}

TEST_CASE("stdout and stderr keep separate partial lines", "[lines]") {
  Recorder r;
  r.splitter.write(Stream::out, "hel");
  r.splitter.write(Stream::err, "war");
  r.splitter.write(Stream::out, "lo\n");
  r.splitter.write(Stream::err, "ning\r\n");
  CHECK(r.lines == std::vector<std::string>{"out:hello", "err:warning"});
  r.splitter.flush();
  CHECK(r.lines.size() == 2);
}

TEST_CASE("a \\r split from its \\n across writes is still dropped", "[lines]") {
  Recorder r;
  r.splitter.write(Stream::out, "abc\r");
  r.splitter.write(Stream::out, "\ndef\r");
  r.splitter.flush();
  CHECK(r.lines == std::vector<std::string>{"out:abc", "out:def"});
}

namespace {

// Takes every run of lines it is offered when `accept` says so, else lets them come one by one.
struct BlockRecorder {
  explicit BlockRecorder(bool accept) : accept(accept) {}
  bool accept;
  std::vector<std::string> lines;   // as delivered: "line:..." or "block:..."
  std::vector<std::string> joined;  // every line in order, however it came
  LineSplitter splitter{
      [this](Stream, std::string_view line) {
        lines.push_back("line:" + std::string(line));
        joined.emplace_back(line);
      },
      [this](Stream, std::string_view block) {
        if (!accept) {
          return false;
        }
        lines.push_back("block:" + std::string(block));
        for (std::size_t at = 0; at < block.size();) {
          const auto nl = block.find('\n', at);
          joined.emplace_back(block.substr(at, nl - at));
          at = nl + 1;
        }
        return true;
      }};
};

}  // namespace

TEST_CASE("whole lines after the held partial one are offered as one run", "[lines]") {
  BlockRecorder r(true);
  r.splitter.write(Stream::out, "par");
  r.splitter.write(Stream::out, "tial\none\n\ntwo\nrest");
  CHECK(r.lines == std::vector<std::string>{"line:partial", "block:one\n\ntwo\n"});
  r.splitter.write(Stream::out, "\n");
  r.splitter.flush();
  CHECK(r.lines.back() == "line:rest");
}

TEST_CASE("a declined run arrives line by line, without CR", "[lines]") {
  BlockRecorder r(false);
  r.splitter.write(Stream::out, "a\r\nb\n\nc");
  r.splitter.flush();
  CHECK(r.lines == std::vector<std::string>{"line:a", "line:b", "line:", "line:c"});
}

TEST_CASE("the same lines arrive whatever the chunking, with or without runs", "[lines]") {
  const std::string text = "one\ntwo\n\nthree\nfour\nfive";
  for (bool accept : {true, false}) {
    for (std::size_t a = 0; a <= text.size(); ++a) {
      for (std::size_t b = a; b <= text.size(); b += 3) {
        BlockRecorder r(accept);
        r.splitter.write(Stream::out, text.substr(0, a));
        r.splitter.write(Stream::out, text.substr(a, b - a));
        r.splitter.write(Stream::out, text.substr(b));
        r.splitter.flush();
        CHECK(r.joined == std::vector<std::string>{"one", "two", "", "three", "four", "five"});
      }
    }
  }
}
