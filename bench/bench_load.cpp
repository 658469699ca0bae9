// Loads and validates 500 generated workflows of realistic size; prints files/s and peak RSS.
// Run: build/bench/bench_load [count]
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "workflow/loader.hpp"

namespace {

// About 120 lines: triggers with filters, a matrix, services, a reusable call and a dozen steps.
std::string workflow_text(int n) {
  std::string text = "name: Generated " + std::to_string(n) +
                     "\non:\n  push:\n    branches: [main, 'releases/**']\n    paths-ignore: ['docs/**']\n"
                     "  pull_request:\n    types: [opened, synchronize]\n  schedule:\n    - cron: '0 3 * * 1'\n"
                     "  workflow_dispatch:\n    inputs:\n      level:\n        type: choice\n"
                     "        options: [info, debug]\n        default: info\n"
                     "permissions:\n  contents: read\nenv:\n  CI_MODE: full\n"
                     "concurrency:\n  group: ${{ github.workflow }}-${{ github.ref }}\n  cancel-in-progress: true\n"
                     "jobs:\n";
  for (int j = 0; j < 4; ++j) {
    const std::string id = "job" + std::to_string(j);
    text += "  " + id + ":\n    name: Job " + std::to_string(j) + " on ${{ matrix.os }}\n";
    if (j > 0) {
      text += "    needs: job" + std::to_string(j - 1) + "\n";
    }
    text += "    runs-on: ${{ matrix.os }}\n    timeout-minutes: 30\n"
            "    strategy:\n      fail-fast: false\n      matrix:\n        os: [ubuntu-latest, macos-latest]\n"
            "        node: [18, 20, 22]\n        exclude:\n          - os: macos-latest\n            node: 18\n"
            "    services:\n      db:\n        image: postgres:16\n        ports: ['5432:5432']\n"
            "        options: --health-cmd pg_isready\n"
            "    steps:\n      - uses: actions/checkout@v4\n        with:\n          fetch-depth: 0\n"
            "      - uses: actions/setup-node@v4\n        with:\n          node-version: ${{ matrix.node }}\n";
    for (int s = 0; s < 8; ++s) {
      text += "      - name: Step " + std::to_string(s) + "\n        id: s" + std::to_string(s) +
              "\n        if: ${{ success() && github.event_name == 'push' }}\n        run: |\n"
              "          echo building part " + std::to_string(s) + "\n          make -j4 part" +
              std::to_string(s) + "\n        env:\n          PART: \"" + std::to_string(s) + "\"\n";
    }
  }
  text += "  deploy:\n    needs: job3\n    uses: octo/deploy/.github/workflows/deploy.yml@v1\n"
          "    secrets: inherit\n    with:\n      environment: production\n";
  return text;
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 500;
  const auto dir = std::filesystem::temp_directory_path() / ("pipe-bench-load-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::size_t bytes = 0;
  for (int i = 0; i < count; ++i) {
    const std::string text = workflow_text(i);
    bytes += text.size();
    char name[32];
    std::snprintf(name, sizeof name, "wf%04d.yml", i);
    std::ofstream(dir / name) << text;
  }
  const double cpu_start = cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  const pipeline::workflow::LoadedSet set = pipeline::workflow::load_all(std::vector<std::filesystem::path>{dir});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = cpu_seconds() - cpu_start;
  std::filesystem::remove_all(dir);
  std::printf("files: %zu (%.1f MiB), workflows valid: %zu, diagnostics: %zu\n", set.files,
              static_cast<double>(bytes) / (1024.0 * 1024.0), set.workflows.size(), set.diagnostics.size());
  // CPU time is printed too: on a busy machine wall time mostly measures the neighbours.
  std::printf("load+validate: %.3f s wall, %.3f s CPU, %.0f files/s, peak RSS %ld KiB\n", seconds, cpu,
              static_cast<double>(set.files) / seconds, peak_rss_kib());
  return set.diagnostics.empty() ? 0 : 1;
}
