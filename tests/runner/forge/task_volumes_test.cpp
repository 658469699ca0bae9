// container.valid_volumes: which volume sources a task's workflow may mount.
#include <catch2/catch.hpp>

#include "runner/forge/task_volumes.hpp"

using pipeline::runner::forge::check_task_volumes;
using pipeline::runner::forge::volume_allowed;
using pipeline::runner::forge::volume_source;

TEST_CASE("a volume's source is what comes before the first colon, or a --mount's source", "[forge][volumes]") {
  CHECK(volume_source("data:/data") == "data");
  CHECK(volume_source("/src/a.json:/a.json:ro") == "/src/a.json");
  CHECK(volume_source("/anonymous") == "");
  CHECK(volume_source("type=bind,source=/host,target=/in") == "/host");
  CHECK(volume_source("type=volume,src=cache,dst=/c") == "cache");
  CHECK(volume_source("type=tmpfs,target=/t") == "");
}

TEST_CASE("valid_volumes globs match within a segment with * and across segments with **", "[forge][volumes]") {
  const std::vector<std::string> valid{"data", "/src/*.json"};
  CHECK(volume_allowed(valid, "data"));
  CHECK(volume_allowed(valid, "/src/a.json"));
  CHECK_FALSE(volume_allowed(valid, "/src/deep/a.json"));
  CHECK_FALSE(volume_allowed(valid, "/etc"));
  CHECK(volume_allowed({"**"}, "/etc"));
  CHECK(volume_allowed({"/srv/**"}, "/srv/a/b"));
  CHECK_FALSE(volume_allowed({}, "data"));
}

TEST_CASE("a job's container, service volumes and -v options are checked against valid_volumes", "[forge][volumes]") {
  const std::string workflow = R"(on: push
jobs:
  build:
    runs-on: linux
    container:
      image: alpine
      volumes: [data:/data, /cache-only]
      options: --cpus 1 -v /etc:/host-etc
    services:
      db:
        image: postgres
        options: --volume=/var/lib/db:/var/lib/postgresql/data
    steps:
      - run: true
)";
  const auto refused = check_task_volumes(workflow, {"data"});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message ==
        "jobs.build.container.options: the volume '/etc' is not one this runner allows to mount (its "
        "container.valid_volumes)");
  const auto service = check_task_volumes(workflow, {"data", "/etc"});
  REQUIRE_FALSE(service);
  CHECK(service.error().message ==
        "jobs.build.services.db.options: the volume '/var/lib/db' is not one this runner allows to mount (its "
        "container.valid_volumes)");
  CHECK(check_task_volumes(workflow, {"**"}));
  CHECK(check_task_volumes("on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: true}]\n", {}));
}
