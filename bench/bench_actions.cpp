// Action resolution: 20 matrix jobs asking for one remote action at once fetch it once, and a
// warm cache resolves each action in well under 5 ms. Repositories are local (file://).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "actions/resolver.hpp"
#include "tests/actions/action_repo.hpp"
#include "tests/support/run_process.hpp"

using namespace pipeline::actions;
using pipeline::test::ActionSandbox;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

ResolverOptions options_for(const ActionSandbox& box, Network network) {
  ResolverOptions options;
  options.base_url = box.base_url();
  options.cache_dir = box.cache();
  options.network = network;
  return options;
}

/// `pipe run` of 20 matrix jobs using one remote action: cold (one download), then warm.
int run_matrix(ActionSandbox& box) {
#ifdef PIPE_EXE
  const auto ws = box.root / "ws";
  ActionSandbox::write(ws / "workflow.yml",
                       "name: m\non: push\njobs:\n  m:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n"
                       "        n: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]\n    steps:\n"
                       "      - uses: octo/hello@v1\n");
  ::setenv("XDG_CACHE_HOME", (box.root / "xdg").c_str(), 1);
  for (const char* label : {"cold", "warm"}) {
    const auto start = Clock::now();
    auto result = pipeline::test::run_process(
        {PIPE_EXE, "run", "--backend", "host", "-p", "20", "--actions-url", box.base_url(), "workflow.yml"},
        ws.string());
    std::size_t downloads = 0;
    for (auto at = result.out.find("Download action repository"); at != std::string::npos;
         at = result.out.find("Download action repository", at + 1)) {
      ++downloads;
    }
    std::printf("pipe run, 20 matrix jobs, %s cache: exit %d, %zu download(s), %.0f ms\n", label, result.exit_code,
                downloads, ms_since(start));
  }
#else
  (void)box;
#endif
  return 0;
}

}  // namespace

int main() {
  ActionSandbox box("bench");
  const auto source = box.root / "source";
  ActionSandbox::write(source / "action.yml",
                       "name: hello\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n");
  for (int i = 0; i < 50; ++i) {
    ActionSandbox::write(source / "dist" / ("f" + std::to_string(i) + ".js"), std::string(4096, 'x'));
  }
  box.publish("octo/hello", source, "v1");

  Resolver cold(options_for(box, Network::online));
  std::atomic<int> ok{0};
  const auto cold_start = Clock::now();
  std::vector<std::thread> jobs;
  for (int i = 0; i < 20; ++i) {
    jobs.emplace_back([&] { ok += cold.resolve("octo/hello@v1", "/").ok() ? 1 : 0; });
  }
  for (auto& job : jobs) {
    job.join();
  }
  std::printf("cold: 20 parallel jobs, %d resolved, %zu fetch(es), %.1f ms\n", ok.load(), cold.fetch_count(),
              ms_since(cold_start));

  for (Network network : {Network::online, Network::offline}) {
    constexpr int k_rounds = 50;
    double total = 0;
    double worst = 0;
    for (int i = 0; i < k_rounds; ++i) {
      Resolver warm(options_for(box, network));  // a new run: nothing remembered in memory
      const auto start = Clock::now();
      if (!warm.resolve("octo/hello@v1", "/")) {
        std::printf("warm resolution failed\n");
        return 1;
      }
      const double ms = ms_since(start);
      total += ms;
      worst = std::max(worst, ms);
    }
    std::printf("warm (%s, tag re-checked %s): %.2f ms/action average, %.2f ms worst over %d runs\n",
                network == Network::online ? "online" : "offline",
                network == Network::online ? "against the remote" : "from the cache", total / k_rounds, worst,
                k_rounds);
  }
  return run_matrix(box);
}
