// Checks of `needs:`: every named job exists, and the graph has no cycle.
#include <algorithm>
#include <map>
#include <set>

#include "workflow/validate_internal.hpp"

namespace pipeline::workflow::detail {
namespace {

std::vector<std::string> job_ids(const Workflow& wf) {
  std::vector<std::string> ids;
  for (const auto& job : wf.jobs) {
    ids.push_back(job.id.value);
  }
  return ids;
}

// Depth-first search that reports each cycle once, as the path that closes it.
class CycleFinder {
public:
  CycleFinder(const Workflow& wf, std::vector<Diagnostic>& out) : m_wf(wf), m_out(out) {}

  void run() {
    for (const auto& job : m_wf.jobs) {
      visit(job);
    }
  }

private:
  enum class Mark { unvisited, active, done };

  void visit(const Job& job) {
    Mark& mark = m_marks[job.id.value];
    if (mark != Mark::unvisited) {
      return;
    }
    mark = Mark::active;
    m_path.push_back(&job);
    for (const auto& need : job.needs) {
      const Job* next = m_wf.find_job(need.value);
      if (next == nullptr || next == &job) {
        continue;  // unknown jobs and self-needs have their own messages
      }
      if (m_marks[next->id.value] == Mark::active) {
        report_cycle(*next, need);
      } else {
        visit(*next);
      }
    }
    m_path.pop_back();
    m_marks[job.id.value] = Mark::done;
  }

  void report_cycle(const Job& start, const Located<std::string>& closing) {
    auto first = std::find(m_path.begin(), m_path.end(), &start);
    std::string cycle;
    std::set<std::string> members;
    for (auto it = first; it != m_path.end(); ++it) {
      cycle += (*it)->id.value + " -> ";
      members.insert((*it)->id.value);
    }
    cycle += start.id.value;
    if (!m_reported.insert(members).second) {
      return;
    }
    report(m_out, closing.where, "'needs' forms a cycle: " + cycle, "a job cannot wait, directly or not, for itself");
  }

  const Workflow& m_wf;
  std::vector<Diagnostic>& m_out;
  std::map<std::string, Mark> m_marks;
  std::vector<const Job*> m_path;
  std::set<std::set<std::string>> m_reported;
};

}  // namespace

void validate_needs(const Workflow& wf, std::vector<Diagnostic>& out) {
  const std::vector<std::string> ids = job_ids(wf);
  for (const auto& job : wf.jobs) {
    std::set<std::string> seen;
    for (const auto& need : job.needs) {
      if (!seen.insert(need.value).second) {
        report(out, need.where, "job '" + job.id.value + "' lists '" + need.value + "' twice in 'needs'");
      } else if (need.value == job.id.value) {
        report(out, need.where, "job '" + job.id.value + "' needs itself");
      } else if (wf.find_job(need.value) == nullptr) {
        std::vector<std::string> others = ids;
        std::erase(others, job.id.value);  // never suggest that a job wait for itself
        const std::string near = closest_match(need.value, others);
        report(out, need.where, "job '" + job.id.value + "' needs unknown job '" + need.value + "'",
               near.empty() ? "" : "did you mean '" + near + "'?");
      }
    }
  }
  CycleFinder(wf, out).run();
}

}  // namespace pipeline::workflow::detail
