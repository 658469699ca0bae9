#pragma once
// YAML text → workflow::Node, typed as GitHub types plain scalars, with 1-based locations.
// yaml-cpp stays inside yaml_node.cpp; nothing else in pipe sees it.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/diagnostic.hpp"
#include "workflow/model.hpp"

namespace pipeline::workflow {

/// The largest file the loader accepts; bigger files are refused with a diagnostic. Real
/// workflows are a few kilobytes, rarely over 100 KiB; a 5 MiB file still loads in about a
/// second, so anything near "10 MB" is refused rather than costing seconds and hundreds of MB.
inline constexpr std::size_t k_max_yaml_bytes = 5 * 1024 * 1024;
inline constexpr std::string_view k_max_yaml_size_text = "5 MiB";

/// The deepest nesting of sequences and mappings the loader accepts.
inline constexpr int k_max_yaml_depth = 128;

/// The parsed document (absent when the text is not usable YAML) and every problem found.
struct YamlParse {
  std::optional<Node> root;
  std::vector<Diagnostic> diagnostics;
};

/// Parses one YAML document. Anchors, aliases and merge keys (`<<`) are resolved; duplicate
/// keys, binary or non-UTF-8 text, oversized and over-nested input become diagnostics.
[[nodiscard]] YamlParse parse_yaml(std::string_view text, const std::string& file);

/// The name GitHub's messages use for a node's kind ("a string", "a mapping", ...).
[[nodiscard]] std::string_view describe_kind(Node::Kind kind);

}  // namespace pipeline::workflow
