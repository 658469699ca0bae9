#pragma once
// JSON text from values that may hold bytes from git, files or processes: nlohmann::json's
// dump() throws on invalid UTF-8, so every such value is written through here instead.
#include <string>

#include <nlohmann/json.hpp>

namespace pipeline {

/// `value` as JSON text (`indent` as dump() takes it); invalid UTF-8 becomes U+FFFD, never an exception.
[[nodiscard]] inline std::string json_text(const nlohmann::json& value, int indent = -1) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace pipeline
