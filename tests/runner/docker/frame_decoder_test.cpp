#include <catch2/catch.hpp>

#include <string>

#include "runner/docker/frame_decoder.hpp"
#include "support/split_sink.hpp"

using pipeline::runner::OutputSink;
using pipeline::runner::Stream;
using pipeline::test::SplitSink;
using pipeline::runner::docker::FrameDecoder;

namespace {

std::string frame(char stream, const std::string& payload) {
  std::string header(8, '\0');
  header[0] = stream;
  const auto size = static_cast<std::uint32_t>(payload.size());
  header[4] = static_cast<char>(size >> 24);
  header[5] = static_cast<char>(size >> 16);
  header[6] = static_cast<char>(size >> 8);
  header[7] = static_cast<char>(size);
  return header + payload;
}

}  // namespace

TEST_CASE("frames fed whole keep stdout and stderr apart", "[docker][frames]") {
  const std::string stream = frame(1, "hello\n") + frame(2, "oops\n") + frame(1, "world\n");
  FrameDecoder decoder;
  SplitSink sink;
  decoder.feed(stream, sink);
  CHECK(sink.out == "hello\nworld\n");
  CHECK(sink.err == "oops\n");
  CHECK_FALSE(decoder.mid_frame());
}

TEST_CASE("a stream split at every byte boundary decodes the same", "[docker][frames]") {
  const std::string big(70000, 'x');  // larger than one read buffer
  const std::string stream = frame(1, "a") + frame(2, "") + frame(2, "bc\n") + frame(1, big) + frame(2, std::string("\0\1\2", 3));
  for (std::size_t cut = 0; cut <= stream.size(); cut += (cut < 64 ? 1 : 997)) {
    FrameDecoder decoder;
    SplitSink sink;
    decoder.feed(std::string_view(stream).substr(0, cut), sink);
    decoder.feed(std::string_view(stream).substr(cut), sink);
    INFO("cut at " << cut);
    REQUIRE(sink.out == "a" + big);
    REQUIRE(sink.err == "bc\n" + std::string("\0\1\2", 3));
  }
}

TEST_CASE("a stream fed one byte at a time decodes the same", "[docker][frames]") {
  const std::string stream = frame(1, "one\n") + frame(2, "two\n") + frame(1, "three\n");
  FrameDecoder decoder;
  SplitSink sink;
  for (char c : stream) {
    decoder.feed(std::string_view(&c, 1), sink);
  }
  CHECK(sink.out == "one\nthree\n");
  CHECK(sink.err == "two\n");
}

TEST_CASE("a stream cut inside a frame reports it", "[docker][frames]") {
  FrameDecoder decoder;
  SplitSink sink;
  decoder.feed(frame(1, "partial").substr(0, 10), sink);
  CHECK(decoder.mid_frame());
  CHECK(sink.out == "pa");
}
