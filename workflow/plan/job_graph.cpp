#include "workflow/plan/job_graph.hpp"

#include <algorithm>
#include <queue>
#include <set>

namespace pipeline::workflow::plan {
namespace {

constexpr std::size_t k_missing = static_cast<std::size_t>(-1);

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) {
    text += (i == 0 ? "" : std::string(separator)) + items[i];
  }
  return text;
}

// Walks need edges from `start` among the unsorted nodes until a node repeats; that repeat
// closes a cycle, which is returned in need order (a needs b needs ... needs a).
std::vector<std::string> find_cycle(const std::vector<JobNode>& nodes,
                                    const std::vector<std::size_t>& in_degree,
                                    const std::vector<std::vector<std::size_t>>& needs) {
  std::size_t current = 0;
  while (in_degree[current] == 0) {
    ++current;
  }
  std::vector<std::size_t> path;
  std::vector<std::size_t> seen_at(nodes.size(), k_missing);
  while (seen_at[current] == k_missing) {
    seen_at[current] = path.size();
    path.push_back(current);
    for (std::size_t need : needs[current]) {
      if (in_degree[need] != 0) {
        current = need;
        break;
      }
    }
  }
  std::vector<std::string> cycle;
  for (std::size_t i = seen_at[current]; i < path.size(); ++i) {
    cycle.push_back(nodes[path[i]].id);
  }
  cycle.push_back(nodes[current].id);
  return cycle;
}

std::string quoted(std::string_view text) {
  std::string result = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      result.push_back('\\');
    }
    result.push_back(c);
  }
  return result + "\"";
}

}  // namespace

Result<JobGraph> JobGraph::build(const Workflow& workflow) {
  std::vector<JobNeeds> jobs;
  jobs.reserve(workflow.jobs.size());
  for (const auto& job : workflow.jobs) {
    std::vector<std::string> needs;
    for (const auto& need : job.needs) {
      needs.push_back(need.value);
    }
    jobs.emplace_back(job.id.value, std::move(needs));
  }
  return build(jobs);
}

Result<JobGraph> JobGraph::build(const std::vector<JobNeeds>& jobs) {
  JobGraph graph;
  for (const auto& [id, needs] : jobs) {
    if (!graph.m_index.emplace(id, graph.m_nodes.size()).second) {
      return Error{"job '" + id + "' is defined twice"};
    }
    graph.m_nodes.push_back(JobNode{id, {}, {}});
  }
  auto needs = graph.link(jobs);
  if (!needs) {
    return needs.error();
  }
  if (auto sorted = graph.sort(*needs); !sorted) {
    return sorted.error();
  }
  return graph;
}

Result<std::vector<std::vector<std::size_t>>> JobGraph::link(const std::vector<JobNeeds>& jobs) {
  std::vector<std::vector<std::size_t>> needs(m_nodes.size());
  for (std::size_t i = 0; i < m_nodes.size(); ++i) {
    for (const auto& need : jobs[i].second) {
      const std::size_t target = index_of(need);
      if (target == k_missing) {
        return Error{"job '" + jobs[i].first + "' needs '" + need + "', which does not exist"};
      }
      if (std::find(needs[i].begin(), needs[i].end(), target) == needs[i].end()) {
        needs[i].push_back(target);
        m_nodes[i].needs.push_back(need);
      }
    }
  }
  for (std::size_t i = 0; i < m_nodes.size(); ++i) {
    for (std::size_t target : needs[i]) {
      m_nodes[target].dependents.push_back(m_nodes[i].id);
    }
  }
  return needs;
}

Result<void> JobGraph::sort(const std::vector<std::vector<std::size_t>>& needs) {
  std::vector<std::size_t> waiting(m_nodes.size());
  // Kahn's algorithm; a min-heap of indexes keeps ready jobs in source order.
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
  for (std::size_t i = 0; i < m_nodes.size(); ++i) {
    waiting[i] = needs[i].size();
    if (waiting[i] == 0) {
      ready.push(i);
    }
  }
  while (!ready.empty()) {
    const std::size_t next = ready.top();
    ready.pop();
    m_order.push_back(next);
    for (const auto& dependent : m_nodes[next].dependents) {
      const std::size_t d = index_of(dependent);
      if (--waiting[d] == 0) {
        ready.push(d);
      }
    }
  }
  if (m_order.size() != m_nodes.size()) {
    return Error{"jobs form a cycle: " + join(find_cycle(m_nodes, waiting, needs), " -> ")};
  }
  return {};
}

std::size_t JobGraph::index_of(std::string_view id) const {
  const auto found = m_index.find(id);
  return found == m_index.end() ? k_missing : found->second;
}

const JobNode* JobGraph::find(std::string_view id) const {
  const std::size_t index = index_of(id);
  return index == k_missing ? nullptr : &m_nodes[index];
}

std::vector<std::string> JobGraph::topological_order() const {
  std::vector<std::string> order;
  order.reserve(m_order.size());
  for (std::size_t index : m_order) {
    order.push_back(m_nodes[index].id);
  }
  return order;
}

std::vector<std::vector<std::string>> JobGraph::levels() const {
  std::vector<std::size_t> depth(m_nodes.size(), 0);
  std::vector<std::vector<std::string>> result;
  for (std::size_t index : m_order) {
    for (const auto& need : m_nodes[index].needs) {
      depth[index] = std::max(depth[index], depth[index_of(need)] + 1);
    }
  }
  for (std::size_t index = 0; index < m_nodes.size(); ++index) {
    if (result.size() <= depth[index]) {
      result.resize(depth[index] + 1);
    }
    result[depth[index]].push_back(m_nodes[index].id);
  }
  return result;
}

std::vector<std::string> JobGraph::roots() const {
  std::vector<std::string> result;
  for (const auto& node : m_nodes) {
    if (node.needs.empty()) {
      result.push_back(node.id);
    }
  }
  return result;
}

Result<JobGraph> JobGraph::subgraph_for(const std::vector<std::string>& selected) const {
  std::set<std::size_t> keep;
  std::vector<std::size_t> pending;
  for (const auto& id : selected) {
    const std::size_t index = index_of(id);
    if (index == k_missing) {
      return Error{"no job '" + id + "' in the workflow"};
    }
    pending.push_back(index);
  }
  while (!pending.empty()) {
    const std::size_t index = pending.back();
    pending.pop_back();
    if (!keep.insert(index).second) {
      continue;
    }
    for (const auto& need : m_nodes[index].needs) {
      pending.push_back(index_of(need));
    }
  }
  std::vector<JobNeeds> jobs;
  for (std::size_t index : keep) {  // std::set iterates in source order
    jobs.emplace_back(m_nodes[index].id, m_nodes[index].needs);
  }
  return build(jobs);
}

std::string render_text(const JobGraph& graph) {
  std::size_t width = 0;
  for (const auto& node : graph.nodes()) {
    width = std::max(width, node.id.size());
  }
  std::string text;
  for (const auto& id : graph.topological_order()) {
    const JobNode* node = graph.find(id);
    std::string line = id;
    if (!node->needs.empty()) {
      line += std::string(width - id.size(), ' ') + " <- " + join(node->needs, ", ");
    }
    text += line + "\n";
  }
  return text;
}

std::string render_dot(const JobGraph& graph, std::string_view title) {
  std::string text = "digraph " + quoted(title) + " {\n  rankdir=LR;\n  node [shape=box];\n";
  for (const auto& node : graph.nodes()) {
    text += "  " + quoted(node.id) + ";\n";
  }
  for (const auto& node : graph.nodes()) {
    for (const auto& need : node.needs) {
      text += "  " + quoted(need) + " -> " + quoted(node.id) + ";\n";
    }
  }
  return text + "}\n";
}

std::string render_mermaid(const JobGraph& graph) {
  // Job ids may hold characters Mermaid ids cannot (`-` is fine, `.` is not), so nodes get
  // positional ids and the job id becomes the label.
  const auto& nodes = graph.nodes();
  auto node_id = [&](std::string_view id) {
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if (nodes[i].id == id) {
        return "j" + std::to_string(i);
      }
    }
    return std::string();
  };
  std::string text = "flowchart LR\n";
  for (const auto& node : nodes) {
    std::string label;
    for (char c : node.id) {
      label += c == '"' ? std::string("#quot;") : std::string(1, c);
    }
    text += "  " + node_id(node.id) + "[\"" + label + "\"]\n";
  }
  for (const auto& node : nodes) {
    for (const auto& need : node.needs) {
      text += "  " + node_id(need) + " --> " + node_id(node.id) + "\n";
    }
  }
  return text;
}

}  // namespace pipeline::workflow::plan
