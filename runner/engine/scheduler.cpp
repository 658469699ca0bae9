#include "runner/engine/scheduler.hpp"

#include <algorithm>
#include <thread>

#include "runner/trace/trace.hpp"

namespace pipeline::runner::engine {
namespace {

using Clock = std::chrono::steady_clock;

// The outside cancel token has no way to wake us; idle workers look at it this often.
constexpr std::chrono::milliseconds k_cancel_tick{10};

// "scheduler: build ready and started (needs lint=success)"; a run being cancelled says so.
std::string start_line(const std::string& id, const std::vector<DependencyResult>& needs, bool cancelled) {
  std::string line = "scheduler: " + id + " ready and started";
  for (std::size_t i = 0; i < needs.size(); ++i) {
    line += (i == 0 ? " (needs " : ", ") + needs[i].id + "=" + std::string(to_string(needs[i].result));
  }
  line += needs.empty() ? "" : ")";
  return cancelled ? line + ", cancelled before it began" : line;
}

}  // namespace

std::string_view to_string(NodeResult result) {
  switch (result) {
    case NodeResult::success: return "success";
    case NodeResult::failure: return "failure";
    case NodeResult::cancelled: return "cancelled";
    case NodeResult::skipped: return "skipped";
  }
  return "failure";
}

NodeResult combine_results(const std::vector<NodeResult>& results) {
  auto has = [&](NodeResult r) { return std::find(results.begin(), results.end(), r) != results.end(); };
  if (has(NodeResult::failure)) {
    return NodeResult::failure;
  }
  if (has(NodeResult::cancelled)) {
    return NodeResult::cancelled;
  }
  if (!results.empty() && std::all_of(results.begin(), results.end(), [](NodeResult r) { return r == NodeResult::skipped; })) {
    return NodeResult::skipped;
  }
  return NodeResult::success;
}

Scheduler::Scheduler(std::size_t parallel) : m_parallel(std::max<std::size_t>(parallel, 1)) {}

Result<std::size_t> Scheduler::add_node(NodeSpec spec) {
  std::lock_guard lock(m_mutex);
  for (std::size_t need : spec.needs) {
    if (need >= m_nodes.size()) {
      return Error{"node '" + spec.id + "' needs node " + std::to_string(need) + ", which does not exist yet"};
    }
  }
  Node node;
  node.report.id = spec.id;
  node.spec = std::move(spec);
  m_nodes.push_back(std::move(node));
  return m_nodes.size() - 1;
}

void Scheduler::define_group(const std::string& group, GroupPolicy policy) {
  std::lock_guard lock(m_mutex);
  m_groups[group] = policy;
}

std::vector<NodeReport> Scheduler::run(const RunNode& run_node, CancelToken* cancel) {
  // The full pool even for a small graph: children may appear later.
  std::vector<std::thread> threads;
  threads.reserve(m_parallel);
  for (std::size_t i = 0; i < m_parallel; ++i) {
    threads.emplace_back([this, &run_node] { work(run_node); });
  }
  watch(cancel);
  for (auto& thread : threads) {
    thread.join();
  }
  std::vector<NodeReport> reports;
  reports.reserve(m_nodes.size());
  for (auto& node : m_nodes) {
    reports.push_back(node.report);
  }
  return reports;
}

// The calling thread forwards the outside cancel to running nodes: every worker may be busy.
void Scheduler::watch(CancelToken* cancel) {
  std::unique_lock lock(m_mutex);
  while (m_done < m_nodes.size()) {
    if (cancel != nullptr && cancel->cancelled() && !m_cancelled) {
      cancel_all();
    }
    m_changed.wait_for(lock, k_cancel_tick);
  }
}

void Scheduler::work(const RunNode& run_node) {
  std::unique_lock lock(m_mutex);
  while (m_done < m_nodes.size()) {
    auto index = pick_ready();
    if (!index) {
      m_changed.wait_for(lock, k_cancel_tick);
      continue;
    }
    NodeContext context = start(*index);
    lock.unlock();
    NodeOutcome outcome;
    try {
      outcome = run_node(context);
    } catch (...) {  // a throwing job must not take the whole run down with std::terminate
      outcome = NodeOutcome{NodeResult::failure, {}};
    }
    lock.lock();
    finish(*index, std::move(outcome));
    m_changed.notify_all();
  }
  m_changed.notify_all();
}

bool Scheduler::ready(const Node& node) const {
  if (node.state != State::pending) {
    return false;
  }
  for (std::size_t need : node.spec.needs) {
    if (m_nodes[need].state != State::done) {
      return false;
    }
  }
  for (const auto& resource : node.spec.resources) {
    if (m_busy_resources.count(resource) != 0) {
      return false;
    }
  }
  if (!node.spec.group.empty()) {
    auto policy = m_groups.find(node.spec.group);
    if (policy != m_groups.end() && policy->second.max_parallel != 0 &&
        running_in(node.spec.group) >= policy->second.max_parallel) {
      return false;
    }
  }
  return true;
}

std::optional<std::size_t> Scheduler::pick_ready() const {
  for (std::size_t i = 0; i < m_nodes.size(); ++i) {
    if (ready(m_nodes[i])) {
      return i;
    }
  }
  return std::nullopt;
}

std::size_t Scheduler::running_in(const std::string& group) const {
  return static_cast<std::size_t>(std::count_if(m_nodes.begin(), m_nodes.end(), [&](const Node& n) {
    return n.state == State::running && n.spec.group == group;
  }));
}

bool Scheduler::should_start_cancelled(const Node& node) const {
  return m_cancelled || (!node.spec.group.empty() && m_cancelled_groups.count(node.spec.group) != 0);
}

NodeContext Scheduler::start(std::size_t index) {
  Node& node = m_nodes[index];
  node.state = State::running;
  node.report.started = Clock::now();
  node.token = std::make_unique<CancelToken>();
  if (should_start_cancelled(node)) {
    node.token->cancel();
  }
  m_busy_resources.insert(node.spec.resources.begin(), node.spec.resources.end());
  std::vector<DependencyResult> dependencies;
  for (std::size_t need : node.spec.needs) {
    dependencies.push_back(DependencyResult{need, m_nodes[need].spec.id, m_nodes[need].report.result});
  }
  trace::debug([&] { return start_line(node.spec.id, dependencies, should_start_cancelled(node)); });
  return NodeContext{index, node.spec.id, std::move(dependencies), *node.token};
}

void Scheduler::finish(std::size_t index, NodeOutcome outcome) {
  Node& node = m_nodes[index];
  for (const auto& resource : node.spec.resources) {
    m_busy_resources.erase(resource);
  }
  if (outcome.children.empty()) {
    mark_done(index, outcome.result);
    return;
  }
  add_children(index, std::move(outcome.children));
}

void Scheduler::add_children(std::size_t parent, std::vector<NodeSpec> children) {
  trace::debug([&] {
    return "scheduler: " + m_nodes[parent].spec.id + " expands into " + std::to_string(children.size()) + " nodes";
  });
  m_nodes[parent].state = State::waiting_children;
  m_nodes[parent].unfinished_children = children.size();
  auto inherited = m_nodes[parent].spec.needs;
  for (auto& child : children) {
    child.needs.erase(std::remove_if(child.needs.begin(), child.needs.end(),
                                     [&](std::size_t need) { return need >= m_nodes.size(); }),
                      child.needs.end());
    child.needs.insert(child.needs.end(), inherited.begin(), inherited.end());
    Node node;
    node.report.id = child.id;
    node.report.parent = parent;
    node.spec = std::move(child);
    m_nodes.push_back(std::move(node));
    m_nodes[parent].report.children.push_back(m_nodes.size() - 1);
  }
}

void Scheduler::mark_done(std::size_t index, NodeResult result) {
  Node& node = m_nodes[index];
  node.state = State::done;
  node.report.result = result;
  node.report.finished = Clock::now();
  ++m_done;
  trace::debug([&] { return "scheduler: " + node.spec.id + " finished: " + std::string(to_string(result)); });
  if (result == NodeResult::failure && !node.spec.group.empty()) {
    auto policy = m_groups.find(node.spec.group);
    if (policy != m_groups.end() && policy->second.fail_fast == FailFast::on) {
      cancel_group(node.spec.group);
    }
  }
  if (auto parent = node.report.parent; parent && --m_nodes[*parent].unfinished_children == 0) {
    std::vector<NodeResult> results;
    for (std::size_t child : m_nodes[*parent].report.children) {
      results.push_back(m_nodes[child].report.result);
    }
    mark_done(*parent, combine_results(results));
  }
}

void Scheduler::cancel_all() {
  m_cancelled = true;
  for (auto& node : m_nodes) {
    if (node.state == State::running) {
      node.token->cancel();
    }
  }
  m_changed.notify_all();
}

void Scheduler::cancel_group(const std::string& group) {
  m_cancelled_groups.insert(group);
  for (auto& node : m_nodes) {
    if (node.state == State::running && node.spec.group == group) {
      node.token->cancel();
    }
  }
}

}  // namespace pipeline::runner::engine
