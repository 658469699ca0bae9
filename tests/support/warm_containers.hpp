#pragma once
// What the warm-container tests look at in the engine: the containers of one pipe process, the
// warm ones among them (`pipe.role=warm`, not taken yet), and a wait for them to be running.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "runner/docker/engine_client.hpp"

namespace pipeline::test {

using LabelledObjects = std::vector<runner::docker::LabelledObject>;

/// Every container carrying `label`.
inline LabelledObjects containers_labelled(runner::docker::EngineClient& client, const std::string& label) {
  auto found = client.list_containers(label);
  REQUIRE(found);
  return *found;
}

/// The containers of `pid`'s run that no job has taken.
inline LabelledObjects warm_of(runner::docker::EngineClient& client, pid_t pid) {
  LabelledObjects out;
  for (auto& item : containers_labelled(client, "pipe.pid=" + std::to_string(pid))) {
    if (item.labels["pipe.role"] == "warm") {
      out.push_back(item);
    }
  }
  return out;
}

/// Waits (up to a minute: a loaded machine) until `count` warm containers of `pid`'s run run;
/// returns them, or nothing when they never did.
inline LabelledObjects await_warm(runner::docker::EngineClient& client, pid_t pid, std::size_t count) {
  for (int i = 0; i < 600; ++i) {
    auto warm = warm_of(client, pid);
    std::size_t running = 0;
    for (const auto& item : warm) {
      auto info = client.inspect_container(item.id);
      running += info && info->running ? 1 : 0;
    }
    if (running >= count) {
      return warm;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return {};
}

/// A file's whole text ("" when it cannot be read).
inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace pipeline::test
