// docs/json-events.md is the schema of `pipe run --json` and `pipe logs --json`: every event
// either prints has the fields the page promises for its kind, and the two agree.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/files.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using nlohmann::json;
using pipeline::test::run_process;

namespace {

const char* const k_workflow = R"(on: push
jobs:
  build:
    runs-on: self-hosted
    steps:
      - name: Talk
        run: |
          echo to stdout
          echo to stderr >&2
          echo
          echo "::group::Details"
          echo inside
          echo "::endgroup::"
          echo "::warning file=a.c,line=3,col=2,title=T::unused"
          echo "# Summary" >> "$GITHUB_STEP_SUMMARY"
  test:
    runs-on: self-hosted
    needs: build
    strategy:
      matrix:
        n: [1, 2]
    steps:
      - run: echo test ${{ matrix.n }}
      - if: false
        run: echo never
)";

// The "always" column of the page's event table, per event kind.
std::map<std::string, std::vector<std::string>> promised_fields() {
  std::ifstream in(std::string(PIPE_SOURCE_DIR) + "/docs/json-events.md");
  std::map<std::string, std::vector<std::string>> out;
  const std::regex row(R"(^\| `([a-z_]+)` \|([^|]*)\|([^|]*)\|[^|]*\|$)");
  const std::regex name("`([a-z_]+)`");
  for (std::string line; std::getline(in, line);) {
    std::smatch match;
    if (!std::regex_match(line, match, row) || match[1] == "type") {
      continue;
    }
    auto& fields = out[match[1]];
    const std::string always = match[2];
    for (auto it = std::sregex_iterator(always.begin(), always.end(), name); it != std::sregex_iterator(); ++it) {
      fields.push_back((*it)[1]);
    }
  }
  return out;
}

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    out.push_back(json::parse(line));
  }
  return out;
}

void check_promises(const std::vector<json>& events, const std::set<std::string>& exempt) {
  const auto promised = promised_fields();
  REQUIRE(promised.size() == 10);
  for (const auto& event : events) {
    INFO(event.dump());
    CHECK(event.at("schema") == 1);
    CHECK(event.at("time").is_string());
    REQUIRE(event.at("type").is_string());
    const auto kind = promised.find(event["type"].get<std::string>());
    REQUIRE(kind != promised.end());
    for (const auto& field : kind->second) {
      if (exempt.count(field) == 0) {
        CHECK(event.contains(field));
      }
    }
  }
}

std::vector<json> of_job(const std::vector<json>& events, const std::string& job) {
  std::vector<json> out;
  for (auto event : events) {
    if (event.value("job", "") == job) {
      event.erase("stream");
      out.push_back(event);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("pipe run --json and pipe logs --json keep the promises of docs/json-events.md", "[cli][json]") {
  pipeline::test::TempDir dir("json-events");
  pipeline::test::write_file(dir.path / "events.yml", k_workflow);
  const auto run = run_process({PIPE_EXE, "run", "--backend", "host", "--json", "events.yml"}, dir.path.string());
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto streamed = json_lines(run.out);
  check_promises(streamed, {});
  std::set<std::string> kinds;
  for (const auto& event : streamed) {
    kinds.insert(event["type"].get<std::string>());
  }
  for (const char* kind : {"job_started", "job_finished", "step_started", "step_finished", "output", "annotation",
                           "group_start", "group_end", "step_summary"}) {
    CHECK(kinds.count(kind) == 1);
  }

  const auto logs = run_process({PIPE_EXE, "logs", "--json"}, dir.path.string());
  INFO(logs.out << logs.err);
  REQUIRE(logs.exit_code == 0);
  const auto read_back = json_lines(logs.out);
  check_promises(read_back, {"stream"});
  for (const char* job : {"build", "test (1)", "test (2)"}) {
    INFO(job);
    CHECK(of_job(read_back, job) == of_job(streamed, job));
  }
  const auto one = run_process({PIPE_EXE, "logs", "--json", "latest", "build"}, dir.path.string());
  CHECK(json_lines(one.out) == of_job(read_back, "build"));
}
