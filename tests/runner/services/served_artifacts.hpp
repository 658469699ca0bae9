#pragma once
// The scaffolding of the artifact API tests: a service host on 127.0.0.1 over one run's artifact
// store in a scratch directory, and an HTTP client for it. A fixture adds its routes, mounts
// them and calls start(); its destructor calls stop() before its routes go.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <httplib.h>
#include <memory>
#include <string>

#include "runner/services/artifact_store.hpp"
#include "runner/services/service_host.hpp"

namespace pipeline::test {

struct ServedArtifacts {
  std::filesystem::path root;
  runner::services::ServiceHost host;
  runner::services::ArtifactStore store;
  std::unique_ptr<httplib::Client> client;
  std::string token;  // the runtime token of job "build-1" of the run

  ServedArtifacts(const std::string& name, const std::string& run)
      : root(std::filesystem::temp_directory_path() / ("pipe-" + name + "-" + std::to_string(::getpid()))),
        store((root / "artifacts").string()),
        token(host.token(runner::services::Caller{run, "build-1"})) {
    std::filesystem::remove_all(root);
  }
  ~ServedArtifacts() {
    stop();
    std::filesystem::remove_all(root);
  }
  ServedArtifacts(const ServedArtifacts&) = delete;
  ServedArtifacts& operator=(const ServedArtifacts&) = delete;

  void start() {
    REQUIRE(host.start(runner::services::ListenAddresses{"127.0.0.1", ""}));
    const std::string url = host.base_url(runner::services::Reach::host);
    client = std::make_unique<httplib::Client>(url.substr(0, url.size() - 1));
  }
  void stop() { host.stop(); }
};

}  // namespace pipeline::test
