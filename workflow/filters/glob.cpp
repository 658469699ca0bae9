#include "workflow/filters/glob.hpp"

namespace pipeline::workflow::filters {

std::optional<std::string> validate_glob(std::string_view pattern) {
  if (pattern.empty()) {
    return "empty pattern";
  }
  return std::nullopt;
}

}  // namespace pipeline::workflow::filters
