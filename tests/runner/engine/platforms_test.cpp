#include <catch2/catch.hpp>

#include "runner/engine/platforms.hpp"

using pipeline::runner::engine::choose_platform;
using pipeline::runner::engine::k_default_ubuntu_image;
using pipeline::runner::engine::no_runner_message;
using Platforms = std::vector<std::pair<std::string, std::string>>;

TEST_CASE("choose_platform: which runner serves a job's runs-on labels", "[engine]") {
  struct Row {
    std::vector<std::string> labels;
    Platforms platforms;
    std::string image;
    std::string unserved;
  };
  const std::vector<Row> rows{
      {{"ubuntu-latest"}, {}, k_default_ubuntu_image, ""},
      {{"ubuntu-22.04"}, {}, "catthehacker/ubuntu:act-22.04", ""},
      {{"ubuntu-18.04"}, {}, k_default_ubuntu_image, ""},
      {{"ubuntu-18.04"}, {{"ubuntu-latest", "my/ubuntu:1"}}, "my/ubuntu:1", ""},
      {{"ubuntu-18.04"}, {{"ubuntu-18.04", "old/ubuntu:18"}}, "old/ubuntu:18", ""},
      {{"self-hosted"}, {}, "host", ""},
      {{"self-hosted", "Linux", "X64"}, {}, "host", ""},
      {{"macos-latest"}, {}, "", "macos-latest"},
      {{"windows-2022"}, {}, "", "windows-2022"},
      {{"self-hosted", "gpu"}, {}, "", "gpu"},
      {{"self-hosted", "macOS"}, {}, "", "macOS"},
      {{"macos-latest"}, {{"macos-latest", "host"}}, "host", ""},
      {{"self-hosted", "gpu"}, {{"gpu", "cuda:12"}}, "cuda:12", ""},
      {{}, {}, "", ""},
      {{""}, {}, "", ""},
  };
  for (const auto& row : rows) {
    INFO((row.labels.empty() ? std::string("(no labels)") : row.labels.front()));
    const auto choice = choose_platform(row.labels, row.platforms);
    CHECK(choice.image == row.image);
    CHECK(choice.unserved == row.unserved);
  }
}

TEST_CASE("no_runner_message names the label and the flag that maps it", "[engine]") {
  CHECK(no_runner_message("macos-latest") == "no runner for 'macos-latest' — map it with -P macos-latest=IMAGE|host");
  CHECK(no_runner_message("") == "no runner: runs-on names no label — give it one, or map one with -P LABEL=IMAGE|host");
}
