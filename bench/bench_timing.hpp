#pragma once
// What the container benches share: a sink that drops output, one timed round, the median.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string_view>
#include <vector>

#include "runner/backend/backend.hpp"

namespace pipeline::bench {

/// Drops everything a step writes: the benches time the transport, not the output.
class NullSink final : public runner::OutputSink {
public:
  void write(runner::Stream, std::string_view) override {}
};

/// Milliseconds `body` takes; a failed body ends the bench, naming `bench` and `what` failed.
inline double elapsed_ms(const char* bench, const char* what, const std::function<bool()>& body) {
  const auto start = std::chrono::steady_clock::now();
  if (!body()) {
    std::fprintf(stderr, "%s: %s failed\n", bench, what);
    std::exit(1);
  }
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

/// The middle value of `times` (the upper one of an even count).
inline double median(std::vector<double> times) {
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace pipeline::bench
