#pragma once
// Reading the engine's JSON answers, shared by the EngineClient's files (containers, images, exec,
// networks). Internal to runner/docker: include only from engine_*.cpp.
#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "runner/docker/engine_client.hpp"
#include "workflow/base/json_text.hpp"
#include "workflow/base/text_encoding.hpp"

namespace pipeline::runner::docker::engine_json {

using nlohmann::json;

/// How often a wait on the engine (an exec's end, a container's removal) asks again.
inline constexpr auto k_engine_poll = std::chrono::milliseconds(50);

/// The `filters=` query value selecting objects that carry `label`.
inline std::string label_filter(const std::string& label) {
  return uri_escape(json_text(json{{"label", json::array({label})}}));
}

/// The string labels of an inspect or list answer (others read as empty).
inline Labels labels_of(const json& value) {
  Labels labels;
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      labels[key] = item.is_string() ? item.get<std::string>() : std::string();
    }
  }
  return labels;
}

/// A member of a JSON object, or null: answers from other engine versions may omit fields.
inline const json& member(const json& value, const char* key) {
  static const json k_null;
  if (!value.is_object()) {
    return k_null;
  }
  const auto it = value.find(key);
  return it == value.end() ? k_null : *it;
}

/// The "Id" of a create answer.
inline std::string id_in(const std::string& body) {
  const json parsed = json::parse(body, nullptr, false);
  const json& id = member(parsed, "Id");
  return id.is_string() ? id.get<std::string>() : std::string();
}

}  // namespace pipeline::runner::docker::engine_json
