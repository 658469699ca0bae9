#pragma once
// The jobs of a workflow as a DAG of `needs` edges, so a scheduler can start each job as soon
// as its own needs have finished (not stage by stage).
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "workflow/model.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::workflow::plan {

/// One job of the graph with its direct edges in both directions.
struct JobNode {
  std::string id;
  std::vector<std::string> needs;       // direct needs, in the order written
  std::vector<std::string> dependents;  // jobs that directly need this one, in source order
};

/// A job id and the ids it needs; the input of JobGraph::build.
using JobNeeds = std::pair<std::string, std::vector<std::string>>;

/// An acyclic graph of jobs; nodes keep the workflow's source order.
class JobGraph {
public:
  /// Builds the graph of `workflow`'s jobs, or names the unknown need or the cycle.
  [[nodiscard]] static Result<JobGraph> build(const Workflow& workflow);
  /// Builds the graph from ids and needs given in source order.
  [[nodiscard]] static Result<JobGraph> build(const std::vector<JobNeeds>& jobs);

  /// The nodes in source order.
  [[nodiscard]] const std::vector<JobNode>& nodes() const { return m_nodes; }
  /// The node with this id, or nullptr.
  [[nodiscard]] const JobNode* find(std::string_view id) const;
  /// Every job after all of its needs; ties keep source order.
  [[nodiscard]] std::vector<std::string> topological_order() const;
  /// Jobs grouped by depth: level 0 needs nothing, level n needs something at level n-1.
  [[nodiscard]] std::vector<std::vector<std::string>> levels() const;
  /// Jobs that need nothing.
  [[nodiscard]] std::vector<std::string> roots() const;
  /// The selected jobs plus everything they transitively need, or an error naming an unknown id.
  [[nodiscard]] Result<JobGraph> subgraph_for(const std::vector<std::string>& selected) const;

private:
  std::vector<JobNode> m_nodes;
  std::map<std::string, std::size_t, std::less<>> m_index;  // id → position in m_nodes
  std::vector<std::size_t> m_order;  // indexes into m_nodes, topologically sorted

  [[nodiscard]] std::size_t index_of(std::string_view id) const;
  // Fills needs and dependents; returns each node's need indexes.
  [[nodiscard]] Result<std::vector<std::vector<std::size_t>>> link(const std::vector<JobNeeds>& jobs);
  // Fills m_order, or names a cycle.
  [[nodiscard]] Result<void> sort(const std::vector<std::vector<std::size_t>>& needs);
};

/// One line per job in topological order: `deploy <- build, test`.
[[nodiscard]] std::string render_text(const JobGraph& graph);
/// Graphviz source of the graph (`dot -Tsvg`).
[[nodiscard]] std::string render_dot(const JobGraph& graph, std::string_view title);
/// Mermaid `flowchart LR` source of the graph.
[[nodiscard]] std::string render_mermaid(const JobGraph& graph);

}  // namespace pipeline::workflow::plan
