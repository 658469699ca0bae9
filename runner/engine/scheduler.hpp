#pragma once
// A DAG scheduler that knows nothing of workflows: nodes, their needs, groups and resources.
// A node starts as soon as all of its own needs ended; there are no stage barriers.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/base/cancel.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::engine {

/// How a node (a job) ended.
enum class NodeResult { success, failure, cancelled, skipped };

/// "success", "failure", "cancelled" or "skipped", as GitHub spells results.
[[nodiscard]] std::string_view to_string(NodeResult result);

/// Whether one failure in a group cancels the rest of it.
enum class FailFast { off, on };

/// Rules shared by the nodes of one group (the instances of one matrix job).
struct GroupPolicy {
  FailFast fail_fast = FailFast::off;
  std::size_t max_parallel = 0;  // 0: bounded only by the scheduler's parallelism
};

/// One unit of work and what it waits for.
struct NodeSpec {
  std::string id;
  std::vector<std::size_t> needs;  // indices of nodes that already exist
  std::string group;               // empty: none
  std::vector<std::string> resources;  // nodes sharing a key never run at once ("port:8080")
};

/// The result of one ended need, handed to the node that needs it.
struct DependencyResult {
  std::size_t index = 0;
  std::string id;
  NodeResult result = NodeResult::success;
};

/// What a node's run callback gets.
struct NodeContext {
  std::size_t index = 0;
  std::string id;
  std::vector<DependencyResult> dependencies;  // every need, ended; failed ones included
  CancelToken& cancel;                         // already cancelled when the run or group was
};

/// What a node's run callback returns. With `children`, the node becomes their parent: they
/// run next (inheriting its needs) and the node's result becomes their combined result.
struct NodeOutcome {
  NodeResult result = NodeResult::success;
  std::vector<NodeSpec> children;
};

/// Runs one node on a worker thread.
using RunNode = std::function<NodeOutcome(const NodeContext&)>;

/// How a node went, in the order nodes were added (children after the nodes existing then).
struct NodeReport {
  std::string id;
  NodeResult result = NodeResult::success;
  std::optional<std::size_t> parent;
  std::vector<std::size_t> children;
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point finished;
};

/// Runs a graph of nodes on at most `parallel` worker threads.
class Scheduler {
public:
  explicit Scheduler(std::size_t parallel);

  /// Adds a node before `run`; its needs must be nodes added earlier (so the graph has no cycle).
  [[nodiscard]] Result<std::size_t> add_node(NodeSpec spec);
  /// Sets the policy of `group`; may be called from a run callback before it returns children.
  void define_group(const std::string& group, GroupPolicy policy);
  /// Runs every node (cancelled ones too, so `always()` work can run) and reports them all.
  [[nodiscard]] std::vector<NodeReport> run(const RunNode& run_node, CancelToken* cancel = nullptr);

private:
  enum class State { pending, running, waiting_children, done };
  struct Node {
    NodeSpec spec;
    State state = State::pending;
    NodeReport report;
    std::unique_ptr<CancelToken> token;
    std::size_t unfinished_children = 0;
  };

  void watch(CancelToken* cancel);
  void work(const RunNode& run_node);
  [[nodiscard]] std::optional<std::size_t> pick_ready() const;
  [[nodiscard]] bool ready(const Node& node) const;
  [[nodiscard]] NodeContext start(std::size_t index);
  void finish(std::size_t index, NodeOutcome outcome);
  void add_children(std::size_t parent, std::vector<NodeSpec> children);
  void mark_done(std::size_t index, NodeResult result);
  void cancel_all();
  void cancel_group(const std::string& group);
  [[nodiscard]] bool should_start_cancelled(const Node& node) const;
  [[nodiscard]] std::size_t running_in(const std::string& group) const;

  std::size_t m_parallel;
  mutable std::mutex m_mutex;
  std::condition_variable m_changed;
  std::vector<Node> m_nodes;
  std::map<std::string, GroupPolicy> m_groups;
  std::set<std::string> m_cancelled_groups;
  std::set<std::string> m_busy_resources;
  std::size_t m_done = 0;
  bool m_cancelled = false;
};

/// The combined result of a parent's children: any failure, else any cancel, else success
/// (skipped only when all were skipped).
[[nodiscard]] NodeResult combine_results(const std::vector<NodeResult>& results);

}  // namespace pipeline::runner::engine
