// The DAG scheduler with real threads: ordering, bounds, fail-fast, resources, dynamic nodes.
#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "runner/engine/scheduler.hpp"

using namespace pipeline::runner;
using namespace pipeline::runner::engine;
using namespace std::chrono_literals;

namespace {

std::size_t add(Scheduler& s, std::string id, std::vector<std::size_t> needs = {}, std::string group = {},
                std::vector<std::string> resources = {}) {
  auto index = s.add_node(NodeSpec{std::move(id), std::move(needs), std::move(group), std::move(resources)});
  REQUIRE(index.ok());
  return *index;
}

/// Counts how many callbacks overlap, overall and per key.
class Overlap {
public:
  void enter(const std::string& key) {
    std::lock_guard lock(m_mutex);
    int now = ++m_now[key];
    m_max[key] = std::max(m_max[key], now);
  }
  void leave(const std::string& key) {
    std::lock_guard lock(m_mutex);
    --m_now[key];
  }
  int max(const std::string& key) {
    std::lock_guard lock(m_mutex);
    return m_max[key];
  }

private:
  std::mutex m_mutex;
  std::map<std::string, int> m_now;
  std::map<std::string, int> m_max;
};

const NodeReport& by_id(const std::vector<NodeReport>& reports, const std::string& id) {
  for (const auto& r : reports) {
    if (r.id == id) {
      return r;
    }
  }
  throw std::runtime_error("no node " + id);
}

}  // namespace

TEST_CASE("a node starts when its own needs end, not when a stage ends", "[scheduler]") {
  Scheduler s(3);
  add(s, "slow");
  auto quick = add(s, "quick");
  add(s, "after-quick", {quick});
  auto reports = s.run([](const NodeContext& node) {
    std::this_thread::sleep_for(node.id == "slow" ? 500ms : 10ms);
    return NodeOutcome{};
  });
  CHECK(by_id(reports, "after-quick").finished < by_id(reports, "slow").finished);
  CHECK(by_id(reports, "after-quick").started >= by_id(reports, "quick").finished);
}

TEST_CASE("needs are passed in with their results, failed ones too", "[scheduler]") {
  Scheduler s(2);
  auto a = add(s, "a");
  auto b = add(s, "b");
  add(s, "c", {a, b});
  std::vector<DependencyResult> seen;
  auto reports = s.run([&](const NodeContext& node) {
    if (node.id == "c") {
      seen = node.dependencies;
      return NodeOutcome{NodeResult::skipped, {}};
    }
    return NodeOutcome{node.id == "a" ? NodeResult::failure : NodeResult::success, {}};
  });
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].id == "a");
  CHECK(seen[0].result == NodeResult::failure);
  CHECK(seen[1].id == "b");
  CHECK(seen[1].result == NodeResult::success);
  CHECK(by_id(reports, "c").result == NodeResult::skipped);
  CHECK(by_id(reports, "c").started >= by_id(reports, "a").finished);
}

TEST_CASE("at most `parallel` nodes run at once", "[scheduler]") {
  Scheduler s(2);
  for (int i = 0; i < 6; ++i) {
    add(s, "n" + std::to_string(i));
  }
  Overlap overlap;
  auto reports = s.run([&](const NodeContext&) {
    overlap.enter("all");
    std::this_thread::sleep_for(40ms);
    overlap.leave("all");
    return NodeOutcome{};
  });
  CHECK(reports.size() == 6);
  CHECK(overlap.max("all") == 2);
}

TEST_CASE("max-parallel bounds a group", "[scheduler]") {
  Scheduler s(4);
  s.define_group("matrix", GroupPolicy{FailFast::off, 1});
  for (int i = 0; i < 3; ++i) {
    add(s, "m" + std::to_string(i), {}, "matrix");
  }
  add(s, "other");
  Overlap overlap;
  auto reports = s.run([&](const NodeContext& node) {
    std::string key = node.id == "other" ? "other" : "matrix";
    overlap.enter(key);
    std::this_thread::sleep_for(30ms);
    overlap.leave(key);
    return NodeOutcome{};
  });
  CHECK(overlap.max("matrix") == 1);
  CHECK(by_id(reports, "other").started < by_id(reports, "m0").finished);
}

TEST_CASE("fail-fast cancels running and pending nodes of the group only", "[scheduler]") {
  Scheduler s(3);
  s.define_group("g", GroupPolicy{FailFast::on, 2});
  add(s, "fails", {}, "g");
  add(s, "running", {}, "g");
  add(s, "pending", {}, "g");
  add(s, "outside");
  std::atomic<bool> pending_saw_cancel{false};
  std::atomic<bool> outside_saw_cancel{true};
  auto reports = s.run([&](const NodeContext& node) {
    if (node.id == "fails") {
      std::this_thread::sleep_for(50ms);
      return NodeOutcome{NodeResult::failure, {}};
    }
    if (node.id == "pending") {
      pending_saw_cancel = node.cancel.cancelled();
      return NodeOutcome{NodeResult::cancelled, {}};
    }
    bool cancelled = node.cancel.wait_for(node.id == "outside" ? 200ms : 5000ms);
    if (node.id == "outside") {
      outside_saw_cancel = cancelled;
    }
    return NodeOutcome{cancelled ? NodeResult::cancelled : NodeResult::success, {}};
  });
  CHECK(by_id(reports, "running").result == NodeResult::cancelled);
  CHECK(pending_saw_cancel);
  CHECK_FALSE(outside_saw_cancel);
  CHECK(by_id(reports, "outside").result == NodeResult::success);
}

TEST_CASE("without fail-fast a failure leaves the siblings alone", "[scheduler]") {
  Scheduler s(2);
  s.define_group("g", GroupPolicy{FailFast::off, 0});
  add(s, "fails", {}, "g");
  add(s, "other", {}, "g");
  auto reports = s.run([&](const NodeContext& node) {
    if (node.id == "fails") {
      return NodeOutcome{NodeResult::failure, {}};
    }
    return NodeOutcome{node.cancel.wait_for(100ms) ? NodeResult::cancelled : NodeResult::success, {}};
  });
  CHECK(by_id(reports, "other").result == NodeResult::success);
}

TEST_CASE("nodes sharing a resource never overlap", "[scheduler]") {
  Scheduler s(3);
  add(s, "web1", {}, "", {"port:8080"});
  add(s, "web2", {}, "", {"port:9090", "port:8080"});
  add(s, "db", {}, "", {"port:5432"});
  Overlap overlap;
  auto reports = s.run([&](const NodeContext& node) {
    std::string key = node.id == "db" ? "5432" : "8080";
    overlap.enter(key);
    std::this_thread::sleep_for(50ms);
    overlap.leave(key);
    return NodeOutcome{};
  });
  CHECK(overlap.max("8080") == 1);
  CHECK(by_id(reports, "db").started < by_id(reports, "web1").finished);
}

TEST_CASE("a node can expand into children that its dependents wait for", "[scheduler]") {
  Scheduler s(2);
  auto setup = add(s, "setup");
  auto matrix = add(s, "build", {setup});
  add(s, "deploy", {matrix});
  std::vector<DependencyResult> child_deps;
  std::vector<DependencyResult> deploy_deps;
  std::mutex mutex;
  auto reports = s.run([&](const NodeContext& node) -> NodeOutcome {
    if (node.id == "build") {
      s.define_group("build", GroupPolicy{FailFast::off, 0});
      return NodeOutcome{NodeResult::success,
                         {NodeSpec{"build (1)", {}, "build", {}}, NodeSpec{"build (2)", {}, "build", {}},
                          NodeSpec{"build (3)", {}, "build", {}}}};
    }
    std::lock_guard lock(mutex);
    if (node.id == "build (2)") {
      child_deps = node.dependencies;
      return NodeOutcome{NodeResult::failure, {}};
    }
    if (node.id == "deploy") {
      deploy_deps = node.dependencies;
    }
    std::this_thread::sleep_for(20ms);
    return NodeOutcome{};
  });
  REQUIRE(reports.size() == 6);
  const auto& build = by_id(reports, "build");
  CHECK(build.children == std::vector<std::size_t>{3, 4, 5});
  CHECK(build.result == NodeResult::failure);
  CHECK(by_id(reports, "build (1)").parent == std::optional<std::size_t>(1));
  REQUIRE(child_deps.size() == 1);
  CHECK(child_deps[0].id == "setup");
  REQUIRE(deploy_deps.size() == 1);
  CHECK(deploy_deps[0].result == NodeResult::failure);
  for (std::size_t child : build.children) {
    CHECK(by_id(reports, "deploy").started >= reports[child].finished);
  }
}

TEST_CASE("cancelling the run cancels running nodes and still runs pending ones", "[scheduler]") {
  Scheduler s(1);
  auto first = add(s, "long");
  add(s, "always", {first});
  pipeline::CancelToken ctrl_c;
  std::thread presser([&] {
    std::this_thread::sleep_for(100ms);
    ctrl_c.cancel();
  });
  std::atomic<bool> always_ran{false};
  std::atomic<bool> always_saw_cancel{false};
  auto reports = s.run(
      [&](const NodeContext& node) {
        if (node.id == "always") {
          always_ran = true;
          always_saw_cancel = node.cancel.cancelled();
          return NodeOutcome{};
        }
        return NodeOutcome{node.cancel.wait_for(5000ms) ? NodeResult::cancelled : NodeResult::success, {}};
      },
      &ctrl_c);
  presser.join();
  CHECK(by_id(reports, "long").result == NodeResult::cancelled);
  CHECK(always_ran);
  CHECK(always_saw_cancel);
}

TEST_CASE("needs must name nodes added earlier", "[scheduler]") {
  Scheduler s(1);
  auto bad = s.add_node(NodeSpec{"a", {3}, "", {}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "node 'a' needs node 3, which does not exist yet");
}

TEST_CASE("an exception in a node is its failure", "[scheduler]") {
  Scheduler s(1);
  add(s, "throws");
  auto reports = s.run([](const NodeContext&) -> NodeOutcome { throw std::runtime_error("boom"); });
  CHECK(reports[0].result == NodeResult::failure);
}

TEST_CASE("an empty graph finishes at once", "[scheduler]") {
  Scheduler s(2);
  CHECK(s.run([](const NodeContext&) { return NodeOutcome{}; }).empty());
}

TEST_CASE("children results combine like a matrix job's", "[scheduler]") {
  using R = NodeResult;
  CHECK(combine_results({R::success, R::failure, R::cancelled}) == R::failure);
  CHECK(combine_results({R::success, R::cancelled}) == R::cancelled);
  CHECK(combine_results({R::skipped, R::success}) == R::success);
  CHECK(combine_results({R::skipped, R::skipped}) == R::skipped);
  CHECK(combine_results({}) == R::success);
}
