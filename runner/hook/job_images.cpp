#include "runner/hook/job_images.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "runner/engine/platforms.hpp"

namespace pipeline::runner::hook {
namespace {

using workflow::Node;

bool is_expression(const std::string& text) { return text.find("${{") != std::string::npos; }

// The labels as written; nullopt when an expression decides them.
std::optional<std::vector<std::string>> literal_labels(const Node& node) {
  if (node.is_mapping()) {
    const Node* labels = node.find("labels");
    return labels ? literal_labels(*labels) : std::vector<std::string>{};
  }
  std::vector<std::string> out;
  for (const Node& item : node.is_sequence() ? node.items : std::vector<Node>{node}) {
    if (!item.is_scalar() || is_expression(item.scalar)) {
      return std::nullopt;
    }
    out.push_back(item.scalar);
  }
  return out;
}

// The job's image as written: nullopt when it runs in none (a call, a host or unserved label),
// empty when an expression decides it.
std::optional<std::string> literal_image(const workflow::Job& job,
                                         const std::vector<std::pair<std::string, std::string>>& platforms) {
  if (job.uses) {
    return std::nullopt;
  }
  if (job.container) {
    const Node& image = job.container->image;
    if (image.is_null() || is_expression(image.scalar)) {
      return std::string();  // `container: ${{ ... }}`, or an image only known when the job starts
    }
    if (!image.scalar.empty()) {
      return image.scalar;
    }
  }
  if (!job.runs_on) {
    return std::nullopt;
  }
  auto labels = literal_labels(*job.runs_on);
  if (!labels) {
    return std::string();
  }
  auto choice = engine::choose_platform(*labels, platforms);
  if (choice.image.empty() || choice.image == "host") {
    return std::nullopt;
  }
  return choice.image;
}

// The ids of `chosen` and every job they need, directly or not.
std::set<std::string> with_needs(const workflow::Workflow& wf, const std::vector<std::string>& chosen) {
  std::set<std::string> out;
  std::vector<std::string> todo = chosen;
  while (!todo.empty()) {
    const std::string id = todo.back();
    todo.pop_back();
    const workflow::Job* job = wf.find_job(id);
    if (job == nullptr || !out.insert(id).second) {
      continue;
    }
    for (const auto& need : job->needs) {
      todo.push_back(need.value);
    }
  }
  return out;
}

}  // namespace

std::vector<JobImage> job_images(const workflow::Workflow& wf, const std::vector<std::string>& chosen,
                                 const std::vector<std::pair<std::string, std::string>>& platforms) {
  const std::set<std::string> runs = with_needs(wf, chosen);
  std::vector<JobImage> out;
  for (const auto& job : wf.jobs) {
    if (!chosen.empty() && runs.count(job.id.value) == 0) {
      continue;
    }
    if (auto image = literal_image(job, platforms)) {
      out.push_back({job.id.value, std::move(*image)});
    }
  }
  return out;
}

}  // namespace pipeline::runner::hook
