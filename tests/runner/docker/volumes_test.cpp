#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "runner/docker/volumes.hpp"

using namespace pipeline::runner::docker;

TEST_CASE("volume entries parse in GitHub's three forms", "[docker][volumes]") {
  struct Row {
    const char* text;
    const char* source;
    const char* target;
    const char* mode;
  };
  const Row rows[] = {
      {"/data", "", "/data", ""},
      {"cache:/cache", "cache", "/cache", ""},
      {"my_vol-1.2:/v:ro", "my_vol-1.2", "/v", "ro"},
      {"/host/dir:/in/container", "/host/dir", "/in/container", ""},
      {"/etc/hosts:/etc/hosts2:ro,z", "/etc/hosts", "/etc/hosts2", "ro,z"},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    auto volume = parse_volume(row.text);
    REQUIRE(volume);
    CHECK(volume->source == row.source);
    CHECK(volume->target == row.target);
    CHECK(volume->mode == row.mode);
  }
}

TEST_CASE("bad volume entries are refused with the entry named", "[docker][volumes]") {
  struct Row {
    const char* text;
    const char* message;
  };
  const Row rows[] = {
      {"", "volume '' is not of the form SOURCE:TARGET[:MODE] or TARGET"},
      {"relative", "volume 'relative': the path in the container must be absolute"},
      {"a:b:c:d", "volume 'a:b:c:d' is not of the form SOURCE:TARGET[:MODE] or TARGET"},
      {"./here:/there", "volume './here:/there': the source must be an absolute host path or a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]+)"},
      {"name:/there:rx", "volume 'name:/there:rx': unknown mode 'rx' (expected ro, rw, z, Z, nocopy, ...)"},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    auto volume = parse_volume(row.text);
    REQUIRE_FALSE(volume);
    CHECK(volume.error().message == row.message);
  }
}

TEST_CASE("anonymous volumes become Volumes, the others Binds", "[docker][volumes]") {
  nlohmann::json body = nlohmann::json::object();
  REQUIRE(apply_volumes({"/anon", "named:/named:ro", "/host:/in"}, body));
  CHECK(body["Volumes"] == nlohmann::json{{"/anon", nlohmann::json::object()}});
  CHECK(body["HostConfig"]["Binds"] == nlohmann::json{"named:/named:ro", "/host:/in"});
}
