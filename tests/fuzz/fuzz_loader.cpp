// libFuzzer entry for the workflow loader: any bytes must give a result or diagnostics, never a
// crash, hang or sanitizer report.
//
// Build and run (clang only; the extra flags instrument the libraries too):
//   cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DPIPE_ENABLE_FUZZERS=ON \
//         -DPIPE_BUILD_TESTS=OFF -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined"
//   ninja -C build-fuzz pipe_fuzz_loader
//   build-fuzz/tests/fuzz/pipe_fuzz_loader -max_total_time=60 -max_len=4096 \
//         fixtures/workflows-public fixtures/errors fixtures/valid
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "workflow/loader.hpp"
#include "workflow/validate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto loaded = pipeline::workflow::load_workflow_text(text, "fuzz.yml");
  if (loaded.workflow) {
    auto diagnostics = pipeline::workflow::validate(*loaded.workflow);
    for (const auto& d : diagnostics) {
      (void)pipeline::workflow::format_diagnostic(d, text);
    }
  }
  for (const auto& d : loaded.diagnostics) {
    (void)pipeline::workflow::format_diagnostic(d, text);
  }
  auto action = pipeline::workflow::load_action_manifest_text(text, "action.yml");
  (void)action;
  return 0;
}
