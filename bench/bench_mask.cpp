// Masking throughput: 500 MB of realistic log lines with 200 secrets registered, against
// memcpy of the same bytes. Usage: bench_mask [megabytes] [--short]; --short also registers a
// 3-byte `add-mask` value, which turns off the 4-gram filter (the automaton reads every byte).
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "runner/output/masker.hpp"

namespace {

// CPU time of this thread: the figure that matters is cost per byte on one core, and wall time
// on a shared machine mostly measures the neighbours.
struct Clock {
  using time_point = double;
  static double now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }
};
using pipeline::runner::output::Masker;

std::string random_token(std::mt19937_64& rng, std::size_t length) {
  static constexpr std::string_view k_chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (std::size_t i = 0; i < length; ++i) {
    s += k_chars[rng() % k_chars.size()];
  }
  return s;
}

// Build-log lines: compiler invocations, test output, timestamps, paths, hashes; a few lines
// carry a secret so the verification path is exercised too.
std::string make_log(std::size_t bytes, const std::vector<std::string>& secrets, std::mt19937_64& rng) {
  static const std::vector<std::string> k_templates = {
      "2026-11-22T02:41:07.1234567Z [ 42%] Building CXX object src/core/CMakeFiles/core.dir/parser.cpp.o\n",
      "2026-11-22T02:41:08.0000001Z ok   github.com/example/project/internal/cache 0.412s coverage: 81.3% of statements\n",
      "npm WARN deprecated inflight@1.0.6: This module is not supported, and leaks memory. Do not use it.\n",
      "  PASSED tests/test_scheduler.py::test_matrix_expansion[linux-x64-python3.12] (0.03s)\n",
      "remote: Counting objects: 100% (1234/1234), done. Receiving objects:  57% (7034/12340), 14.2 MiB | 9.8 MiB/s\n",
      "error[E0308]: mismatched types --> src/main.rs:14:22 expected `u32`, found `i64`\n",
      "Step 7/12 : RUN apt-get update && apt-get install -y --no-install-recommends build-essential\n",
  };
  std::string log;
  log.reserve(bytes + 256);
  std::size_t line = 0;
  while (log.size() < bytes) {
    if (++line % 5000 == 0) {
      log += "export TOKEN=" + secrets[rng() % secrets.size()] + " sha=" + random_token(rng, 40) + "\n";
    } else {
      log += k_templates[rng() % k_templates.size()];
    }
  }
  return log;
}

double seconds_since(Clock::time_point start) { return Clock::now() - start; }

}  // namespace

int main(int argc, char** argv) {
  const std::size_t megabytes = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 500;
  std::mt19937_64 rng(7);
  std::vector<std::string> secrets;
  Masker masker;
  for (int i = 0; i < 200; ++i) {
    secrets.push_back(i % 2 == 0 ? "ghp_" + random_token(rng, 36) : random_token(rng, 16 + rng() % 48));
    (void)masker.add_secret(secrets.back());
  }
  if (argc > 2 && std::string_view(argv[2]) == "--short") {
    (void)masker.add_mask("q7z");
  }
  const auto build_start = Clock::now();
  const auto matcher = masker.snapshot();
  const double build_s = seconds_since(build_start);

  const std::string log = make_log(megabytes << 20U, secrets, rng);
  constexpr std::size_t k_chunk = 64 << 10;  // what a pipe read returns at most

  std::vector<char> copy(k_chunk);
  const auto copy_start = Clock::now();
  std::size_t sink = 0;
  for (std::size_t at = 0; at < log.size(); at += k_chunk) {
    const std::size_t n = std::min(k_chunk, log.size() - at);
    std::memcpy(copy.data(), log.data() + at, n);
    sink += static_cast<unsigned char>(copy[n / 2]);
  }
  const double copy_s = seconds_since(copy_start);

  const auto mask_start = Clock::now();
  std::size_t masked = 0;
  for (std::size_t at = 0; at < log.size(); at += k_chunk) {
    const std::size_t n = std::min(k_chunk, log.size() - at);
    masked += matcher->find(std::string_view(log).substr(at, n)).size();
  }
  const double mask_s = seconds_since(mask_start);

  pipeline::runner::output::MaskingStream stream(masker);
  const auto stream_start = Clock::now();
  std::size_t out_bytes = 0;
  for (std::size_t at = 0; at < log.size(); at += k_chunk) {
    out_bytes += stream.write(std::string_view(log).substr(at, std::min(k_chunk, log.size() - at))).size();
  }
  out_bytes += stream.flush().size();
  const double stream_s = seconds_since(stream_start);

  const double mb = static_cast<double>(log.size()) / (1 << 20);
  std::printf("patterns %zu, automaton states %zu, build %.1f ms\n", masker.pattern_count(), matcher->state_count(),
              build_s * 1e3);
  std::printf("input %.0f MB, masked ranges %zu (checksum %zu, out %zu bytes)\n", mb, masked, sink, out_bytes);
  std::printf("memcpy        %8.0f MB/s\n", mb / copy_s);
  std::printf("mask (find)   %8.0f MB/s   ratio to memcpy %.2fx\n", mb / mask_s, mask_s / copy_s);
  std::printf("mask (stream) %8.0f MB/s   ratio to memcpy %.2fx\n", mb / stream_s, stream_s / copy_s);
  return 0;
}
