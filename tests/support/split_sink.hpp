#pragma once
// A step's output as two strings, for tests that check what reached stdout and what stderr.
#include <string>
#include <string_view>

#include "runner/backend/backend.hpp"

namespace pipeline::test {

/// Keeps what a step writes to stdout and to stderr apart.
class SplitSink final : public runner::OutputSink {
public:
  void write(runner::Stream stream, std::string_view bytes) override {
    (stream == runner::Stream::out ? out : err).append(bytes);
  }
  std::string out;
  std::string err;
};

}  // namespace pipeline::test
