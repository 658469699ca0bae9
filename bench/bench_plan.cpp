// Times the planning hot spots: path filters over many changed files, matrix expansion at
// GitHub's limit, and a large job graph. Run by hand: build/bench/bench_plan
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "workflow/filters/glob.hpp"
#include "workflow/plan/job_graph.hpp"
#include "workflow/plan/matrix.hpp"

namespace {

template <class F>
double milliseconds(F&& work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main() {
  using namespace pipeline::workflow;
  std::vector<std::string> paths;
  for (int i = 0; i < 10000; ++i) {
    paths.push_back("src/module" + std::to_string(i % 50) + "/sub/file" + std::to_string(i) + ".cpp");
  }
  auto list = filters::FilterList::compile({"src/**", "!**/*.md", "**/module1*/**/*.cpp", "!docs/**"});
  std::size_t hits = 0;
  const double glob_ms = milliseconds([&] {
    for (const auto& path : paths) {
      hits += list->matches(path) ? 1 : 0;
    }
  });
  std::printf("filters: %zu paths x 4 patterns: %.2f ms (%zu matched)\n", paths.size(), glob_ms, hits);

  nlohmann::ordered_json matrix = {{"a", nlohmann::ordered_json::array()}, {"b", nlohmann::ordered_json::array()}};
  for (int i = 0; i < 16; ++i) {
    matrix["a"].push_back(i);
    matrix["b"].push_back("v" + std::to_string(i));
  }
  matrix["include"] = {{{"extra", 1}}, {{"a", 3}, {"c", true}}};
  std::size_t combinations = 0;
  const double matrix_ms = milliseconds([&] { combinations = plan::expand_matrix(matrix)->size(); });
  std::printf("matrix: %zu combinations: %.2f ms\n", combinations, matrix_ms);

  std::vector<plan::JobNeeds> jobs;
  for (int i = 0; i < 1000; ++i) {
    std::vector<std::string> needs;
    for (int d = 1; d <= 3 && i - d * 7 >= 0; ++d) {
      needs.push_back("job" + std::to_string(i - d * 7));
    }
    jobs.emplace_back("job" + std::to_string(i), needs);
  }
  std::size_t levels = 0;
  const double graph_ms = milliseconds([&] { levels = plan::JobGraph::build(jobs)->levels().size(); });
  std::printf("job graph: %zu jobs, %zu levels: %.2f ms\n", jobs.size(), levels, graph_ms);
  return 0;
}
