#pragma once
// Runner labels as act_runner writes them: `NAME`, `NAME:host`, `NAME:docker://IMAGE`. The
// server matches jobs on the name; the rest is this runner's own mapping.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "workflow/base/result.hpp"

namespace pipeline::runner::forge {

/// Where a label's jobs run.
enum class LabelSchema { host, docker };

/// One parsed label.
struct Label {
  std::string name;
  LabelSchema schema = LabelSchema::host;
  std::string image;  // for docker: IMAGE of `docker://IMAGE`
};

/// Labels a runner gets when none are given.
inline constexpr const char* k_default_labels = "ubuntu-latest:docker://catthehacker/ubuntu:act-latest";

/// Parses one label; "unsupported schema 'vm' in label 'x:vm'" for anything but host or docker.
[[nodiscard]] Result<Label> parse_label(std::string_view text);

/// Parses a comma-separated list (spaces around entries ignored, empty entries skipped).
[[nodiscard]] Result<std::vector<Label>> parse_label_list(std::string_view text);

/// Parses each text; the first bad one is the error.
[[nodiscard]] Result<std::vector<Label>> parse_labels(const std::vector<std::string>& texts);

/// The names the server matches `runs-on` against, in order, without duplicates.
[[nodiscard]] std::vector<std::string> label_names(const std::vector<Label>& labels);

/// The engine's platform mapping: (name, image) or (name, "host") per label.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> label_platforms(const std::vector<Label>& labels);

/// The label's text as act_runner writes it back.
[[nodiscard]] std::string to_string(const Label& label);

}  // namespace pipeline::runner::forge
