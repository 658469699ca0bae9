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
