#pragma once
// A scratch repository for a run test: a copy of one folder of fixtures/ and a workflow file.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace pipeline::test {

/// `$TMPDIR/pipe-<name>-<pid>` holding fixtures/<fixture> copied to <copy_as> and `workflow.yml`,
/// removed (contents included) on destruction.
struct FixtureRepo {
  std::filesystem::path path;
  FixtureRepo(const std::string& name, const std::string& fixture, const std::string& copy_as,
              const std::string& workflow) {
    namespace fs = std::filesystem;
    path = fs::temp_directory_path() / ("pipe-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
    fs::copy(fs::path(PIPE_FIXTURES_DIR) / fixture, path / copy_as, fs::copy_options::recursive);
    std::ofstream(path / "workflow.yml") << workflow;
  }
  ~FixtureRepo() { std::filesystem::remove_all(path); }
  FixtureRepo(const FixtureRepo&) = delete;
  FixtureRepo& operator=(const FixtureRepo&) = delete;
};

}  // namespace pipeline::test
