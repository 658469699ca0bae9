// The kept container's agent on the host side: where it is written, and connecting to its socket.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "runner/docker/kept_agent.hpp"

using namespace pipeline::runner::docker;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = "/tmp/pka-XXXXXX";
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace

TEST_CASE("the kept agent is written once into an owner-only directory beside its socket", "[docker][agent]") {
  TempDir dir;
  install_kept_agent(dir.path.string());
  const fs::path agent = kept_agent_path(dir.path.string());
  REQUIRE(fs::exists(agent));
  CHECK(agent.parent_path() == fs::path(kept_agent_dir(dir.path.string())));
  CHECK(fs::path(kept_agent_socket(dir.path.string())).parent_path() == agent.parent_path());
  CHECK(agent.filename().string() == agent_file_name());
  struct stat info {};
  REQUIRE(::stat(agent.parent_path().c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0700);
  CHECK(::access(agent.c_str(), X_OK) == 0);
  const auto written = fs::last_write_time(agent);
  install_kept_agent(dir.path.string());  // present: left as it is (a running listener uses it)
  CHECK(fs::last_write_time(agent) == written);
  CHECK_FALSE(fs::exists(agent.string() + ".partial"));
}

TEST_CASE("connecting to a kept agent that does not listen is an error, and so is a path too long", "[docker][agent]") {
  TempDir dir;
  auto missing = connect_kept_agent(kept_agent_socket(dir.path.string()));
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, Catch::Contains("cannot connect to " + kept_agent_socket(dir.path.string())));
  auto long_path = connect_kept_agent("/tmp/" + std::string(110, 'x') + "/sock");
  REQUIRE_FALSE(long_path);
  CHECK_THAT(long_path.error().message, Catch::Contains("longer than a unix socket address"));
}
