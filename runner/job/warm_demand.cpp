#include "runner/job/warm_demand.hpp"

#include <algorithm>

#include "runner/engine/platforms.hpp"
#include "runner/job/checkout.hpp"
#include "runner/job/contexts.hpp"
#include "runner/job/job_containers.hpp"
#include "runner/job/job_execution.hpp"

namespace pipeline::runner::job {

namespace {

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// The class of a `container:` job; nullopt when the container takes what a warm one cannot get
// before its job is known (its env, published ports), or when the image evaluates empty (the
// job then runs as without `container:`, and the empty optional inside says so).
std::optional<std::optional<std::string>> container_class(const workflow::Job& job, workflow::expr::EvalContext& context) {
  auto container = evaluate_container(*job.container, context, "'container'");
  if (!container) {
    return std::nullopt;
  }
  if (container->image.empty()) {
    return std::optional<std::string>();
  }
  if (!container->env.empty() || !container->ports.empty()) {
    return std::nullopt;
  }
  std::string text = "container\n" + container->image + "\n" + container->options;
  for (const auto& volume : container->volumes) {
    text += "\n" + volume;
  }
  return std::optional<std::string>(text);
}

}  // namespace

bool uses_fetched_actions(const workflow::Job& job) {
  return std::any_of(job.steps.begin(), job.steps.end(), [](const workflow::Step& step) {
    return step.uses && !is_checkout(step.uses->value) && step.uses->value.rfind("docker://", 0) != 0;
  });
}

std::optional<std::string> warm_class(const workflow::Job& job, workflow::expr::EvalContext& context,
                                      const RunOptions& options) {
  if (job.uses || !job.services.empty() || job.services_expression) {
    return std::nullopt;
  }
  const std::string actions = uses_fetched_actions(job) ? "\nactions" : "";
  if (job.container) {
    auto in_container = container_class(job, context);
    if (!in_container) {
      return std::nullopt;
    }
    if (*in_container) {
      return **in_container + actions;
    }
  }
  if (!job.runs_on) {
    return std::nullopt;
  }
  auto runs_on = evaluate_node(*job.runs_on, context);
  if (!runs_on) {
    return std::nullopt;
  }
  const auto choice = engine::choose_platform(detail::runs_on_labels(*runs_on), options.platforms);
  if (choice.image.empty() || choice.image == "host") {
    return std::nullopt;
  }
  return "runs-on\n" + choice.image + actions;
}

bool statically_false(std::string_view condition) {
  std::string_view text = trimmed(condition);
  if (text.size() > 5 && text.substr(0, 3) == "${{" && text.substr(text.size() - 2) == "}}") {
    text = trimmed(text.substr(3, text.size() - 5));
  }
  return text == "false";
}

void WarmDemand::expect(const std::string& warm_class, int count) {
  std::lock_guard guard(m_mutex);
  m_to_come[warm_class] += count;
}

void WarmDemand::started(const std::string& warm_class) {
  std::lock_guard guard(m_mutex);
  if (auto found = m_to_come.find(warm_class); found != m_to_come.end() && found->second > 0) {
    --found->second;
  }
}

int WarmDemand::to_come(const std::string& warm_class) const {
  std::lock_guard guard(m_mutex);
  auto found = m_to_come.find(warm_class);
  return found == m_to_come.end() ? 0 : found->second;
}

}  // namespace pipeline::runner::job
