#pragma once
// Which runner serves a job's `runs-on` labels here: an image, the host, or none.
#include <string>
#include <utility>
#include <vector>

namespace pipeline::runner::engine {

/// The image GitHub's hosted Ubuntu labels map to when nothing else is said, as act's medium image.
constexpr const char* k_default_ubuntu_image = "catthehacker/ubuntu:act-latest";

/// What `choose_platform` decided for one job's labels.
struct PlatformChoice {
  std::string image;      // an image, "host", or empty when no runner serves the labels
  std::string unserved;   // the first label nothing here serves; empty too when there is no label
};

/// Picks where `labels` run. A label mapped in `platforms` (-P flags, then the config) wins;
/// otherwise every label must be one this machine serves: GitHub's Ubuntu labels (`ubuntu-*`, the
/// image of `ubuntu-latest`'s mapping, else the default), or the host's own labels
/// (`self-hosted`, `linux`, `x64`). `macos-latest`, `windows-2022` or a custom label are unserved.
[[nodiscard]] PlatformChoice choose_platform(const std::vector<std::string>& labels,
                                             const std::vector<std::pair<std::string, std::string>>& platforms);

/// The one-line reason a job is not run: `no runner for 'LABEL' — map it with -P LABEL=IMAGE|host`
/// (or, for an empty label, that runs-on names none).
[[nodiscard]] std::string no_runner_message(const std::string& label);

}  // namespace pipeline::runner::engine
