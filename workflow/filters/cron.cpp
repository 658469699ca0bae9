#include "workflow/filters/cron.hpp"

namespace pipeline::workflow::filters {

std::optional<std::string> validate_cron(std::string_view expression) {
  if (expression.empty()) {
    return "empty cron expression";
  }
  return std::nullopt;
}

}  // namespace pipeline::workflow::filters
