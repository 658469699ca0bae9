// Run records on disk: ids, files, the latest link, listing and lookup.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "runner/engine/run_record.hpp"

using namespace pipeline::runner::engine;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "pipe-runs-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path); }
  std::string path;
};

const auto k_time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795314681123LL));

}  // namespace

TEST_CASE("run ids sort by time", "[run_record]") {
  CHECK(make_run_id(k_time, 0xab12) == "20261122-023121-ab12");
  CHECK(make_run_id(k_time, 7) == "20261122-023121-0007");
  CHECK(make_run_id(k_time + std::chrono::seconds(1), 0) > make_run_id(k_time, 0xffff));
  CHECK(is_run_id(make_run_id()));
  CHECK(is_run_id("20261122-023121-ab12"));
  CHECK_FALSE(is_run_id("20261122-023121-AB12"));
  CHECK_FALSE(is_run_id("latest"));
  CHECK_FALSE(is_run_id("20261122-023121-ab1"));
}

TEST_CASE("job log names are safe file names", "[run_record]") {
  CHECK(job_log_name("build") == "build.log");
  CHECK(job_log_name("test (linux, 18)") == "test__linux__18_.log");
  CHECK(job_log_name("../x") == "job.._x.log");
  CHECK(job_log_name("") == "job.log");
}

TEST_CASE("a record holds run.json, event.json and logs; latest points at it", "[run_record]") {
  TempDir root;
  std::string runs = root.path + "/.pipe/runs";
  auto first = RunRecord::create(runs, "20261122-023121-0001");
  REQUIRE(first.ok());
  REQUIRE(first->write_run_json(nlohmann::json{{"result", "failure"}, {"jobs", nlohmann::json::array()}}).ok());
  REQUIRE(first->write_event_json(nlohmann::json{{"ref", "refs/heads/main"}}).ok());
  std::ofstream(first->job_log_path("build")) << "log\n";
  REQUIRE(first->mark_latest().ok());
  CHECK(fs::read_symlink(runs + "/latest") == "20261122-023121-0001");
  CHECK(nlohmann::json::parse(std::ifstream(first->dir() + "/event.json"))["ref"] == "refs/heads/main");

  auto second = RunRecord::create(runs, "20261122-023125-0002");
  REQUIRE(second.ok());
  REQUIRE(second->write_run_json(nlohmann::json{{"result", "success"}}).ok());
  REQUIRE(second->mark_latest().ok());
  CHECK(fs::read_symlink(runs + "/latest") == "20261122-023125-0002");

  auto runs_found = list_runs(runs);
  REQUIRE(runs_found.ok());
  REQUIRE(runs_found->size() == 2);
  CHECK((*runs_found)[0].id == "20261122-023125-0002");
  CHECK((*runs_found)[0].result == "success");
  CHECK((*runs_found)[1].result == "failure");
  CHECK((*runs_found)[1].logs == std::vector<std::string>{"build.log"});
  CHECK_FALSE(fs::exists(first->dir() + "/run.json.tmp"));
}

TEST_CASE("find_run takes latest, an id or a unique prefix", "[run_record]") {
  TempDir root;
  REQUIRE(RunRecord::create(root.path, "20261122-023121-0001").ok());
  auto latest = RunRecord::create(root.path, "20261121-010101-0002");
  REQUIRE(latest.ok());
  REQUIRE(latest->mark_latest().ok());

  auto found = find_run(root.path, "latest");
  REQUIRE(found.ok());
  CHECK(found->id == "20261121-010101-0002");
  found = find_run(root.path, "20261122");
  REQUIRE(found.ok());
  CHECK(found->id == "20261122-023121-0001");
  auto ambiguous = find_run(root.path, "2026112");
  REQUIRE_FALSE(ambiguous.ok());
  CHECK(ambiguous.error().message == "run id '2026112' is ambiguous: 2 runs start with it");
  auto none = find_run(root.path, "1999");
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message == "no run '1999' under '" + root.path + "'");
  CHECK(list_runs(root.path + "/missing")->empty());
  CHECK(find_run(root.path + "/missing", "").error().message == "no runs recorded under '" + root.path + "/missing'");
}

TEST_CASE("prune_runs keeps the newest runs and the latest one", "[run_record]") {
  TempDir root;
  const std::string runs = root.path + "/runs";
  for (int i = 10; i < 16; ++i) {
    REQUIRE(RunRecord::create(runs, "20261122-0000" + std::to_string(i) + "-abcd").ok());
  }
  // The oldest run is the latest one (e.g. the clock went back): it must survive.
  auto oldest = RunRecord::create(runs, "20261122-000009-abcd");
  REQUIRE(oldest.ok());
  REQUIRE(oldest->mark_latest().ok());
  prune_runs(runs, 3);
  std::vector<std::string> left;
  const auto listed = list_runs(runs);
  REQUIRE(listed.ok());
  for (const auto& run : *listed) {
    left.push_back(run.id);
  }
  CHECK(left == std::vector<std::string>{"20261122-000015-abcd", "20261122-000014-abcd", "20261122-000009-abcd"});
  prune_runs(runs, 3);  // nothing more to do
  CHECK(list_runs(runs)->size() == 3);
}

TEST_CASE("records under .pipe make git ignore the whole directory", "[run_record]") {
  TempDir root;
  REQUIRE(RunRecord::create(root.path + "/.pipe/runs", "20261122-000000-abcd").ok());
  std::ifstream ignore(root.path + "/.pipe/.gitignore");
  std::string text((std::istreambuf_iterator<char>(ignore)), std::istreambuf_iterator<char>());
  CHECK(text.find("\n*\n") != std::string::npos);
  REQUIRE(std::system(("git -C '" + root.path + "' init -q && git -C '" + root.path +
                       "' status --porcelain > '" + root.path + "/status.txt'").c_str()) == 0);
  std::ifstream status(root.path + "/status.txt");
  std::string listed((std::istreambuf_iterator<char>(status)), std::istreambuf_iterator<char>());
  CHECK(listed.find(".pipe") == std::string::npos);
  // A records directory elsewhere gets no ignore file.
  REQUIRE(RunRecord::create(root.path + "/records", "20261122-000000-abcd").ok());
  CHECK_FALSE(fs::exists(root.path + "/.gitignore"));
}
