#include "workflow/model.hpp"

namespace pipeline::workflow {

const Node* Node::find(std::string_view key) const {
  for (const auto& entry : entries) {
    if (entry.key == key) {
      return &entry.value;
    }
  }
  return nullptr;
}

SourceLocation Node::key_location(std::string_view key) const {
  for (const auto& entry : entries) {
    if (entry.key == key) {
      return entry.key_where;
    }
  }
  return {};
}

const Job* Workflow::find_job(std::string_view id) const {
  for (const auto& job : jobs) {
    if (job.id.value == id) {
      return &job;
    }
  }
  return nullptr;
}

const Trigger* Workflow::find_trigger(std::string_view event) const {
  for (const auto& trigger : on) {
    if (trigger.event.value == event) {
      return &trigger;
    }
  }
  return nullptr;
}

std::string Workflow::display_name() const {
  return name ? name->value : path;
}

}  // namespace pipeline::workflow
