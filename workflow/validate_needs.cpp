// Checks of `needs:`: every named job exists, and the graph has no cycle.
#include <algorithm>
#include <set>
#include <string_view>
#include <unordered_map>

#include "workflow/validate_internal.hpp"

namespace pipeline::workflow::detail {
namespace {

// Suggestions compare against every job id; past this many jobs that costs more than it helps.
constexpr std::size_t k_max_suggestion_candidates = 500;

using JobIndex = std::unordered_map<std::string_view, std::size_t>;

JobIndex index_jobs(const Workflow& wf) {
  JobIndex index;
  for (std::size_t i = 0; i < wf.jobs.size(); ++i) {
    index.emplace(wf.jobs[i].id.value, i);
  }
  return index;
}

std::string suggestion(const Workflow& wf, const Job& job, const std::string& need) {
  if (wf.jobs.size() > k_max_suggestion_candidates) {
    return "";
  }
  std::vector<std::string> others;
  for (const auto& candidate : wf.jobs) {
    if (&candidate != &job) {  // never suggest that a job wait for itself
      others.push_back(candidate.id.value);
    }
  }
  const std::string near = closest_match(need, others);
  return near.empty() ? "" : "did you mean '" + near + "'?";
}

// Depth-first search with an explicit stack (a long chain of needs must not exhaust the call
// stack) that reports each cycle once, as the path that closes it.
class CycleFinder {
public:
  CycleFinder(const Workflow& wf, const JobIndex& index, std::vector<Diagnostic>& out)
      : m_wf(wf), m_index(index), m_out(out), m_marks(wf.jobs.size(), Mark::unvisited) {}

  void run() {
    for (std::size_t i = 0; i < m_wf.jobs.size(); ++i) {
      if (m_marks[i] == Mark::unvisited) {
        visit(i);
      }
    }
  }

private:
  enum class Mark { unvisited, active, done };
  struct Frame {
    std::size_t job;
    std::size_t next_need = 0;
  };

  void visit(std::size_t root) {
    std::vector<Frame> stack{{root}};
    m_marks[root] = Mark::active;
    while (!stack.empty()) {
      Frame& frame = stack.back();
      const Job& job = m_wf.jobs[frame.job];
      if (frame.next_need == job.needs.size()) {
        m_marks[frame.job] = Mark::done;
        stack.pop_back();
        continue;
      }
      const Located<std::string>& need = job.needs[frame.next_need++];
      const auto found = m_index.find(need.value);
      if (found == m_index.end() || found->second == frame.job) {
        continue;  // unknown jobs and self-needs have their own messages
      }
      if (m_marks[found->second] == Mark::active) {
        report_cycle(stack, found->second, need);
      } else if (m_marks[found->second] == Mark::unvisited) {
        m_marks[found->second] = Mark::active;
        stack.push_back({found->second});
      }
    }
  }

  void report_cycle(const std::vector<Frame>& stack, std::size_t start, const Located<std::string>& closing) {
    auto first = std::find_if(stack.begin(), stack.end(), [&](const Frame& f) { return f.job == start; });
    std::string cycle;
    std::set<std::size_t> members;
    for (auto it = first; it != stack.end(); ++it) {
      cycle += m_wf.jobs[it->job].id.value + " -> ";
      members.insert(it->job);
    }
    cycle += m_wf.jobs[start].id.value;
    if (!m_reported.insert(members).second) {
      return;
    }
    report(m_out, closing.where, "'needs' forms a cycle: " + cycle, "a job cannot wait, directly or not, for itself");
  }

  const Workflow& m_wf;
  const JobIndex& m_index;
  std::vector<Diagnostic>& m_out;
  std::vector<Mark> m_marks;
  std::set<std::set<std::size_t>> m_reported;
};

}  // namespace

void validate_needs(const Workflow& wf, std::vector<Diagnostic>& out) {
  const JobIndex index = index_jobs(wf);
  for (const auto& job : wf.jobs) {
    std::set<std::string_view> seen;
    for (const auto& need : job.needs) {
      if (!seen.insert(need.value).second) {
        report(out, need.where, "job '" + job.id.value + "' lists '" + need.value + "' twice in 'needs'");
      } else if (need.value == job.id.value) {
        report(out, need.where, "job '" + job.id.value + "' needs itself");
      } else if (!index.contains(need.value)) {
        report(out, need.where, "job '" + job.id.value + "' needs unknown job '" + need.value + "'",
               suggestion(wf, job, need.value));
      }
    }
  }
  CycleFinder(wf, index, out).run();
}

}  // namespace pipeline::workflow::detail
