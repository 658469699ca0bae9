#include "workflow/plan/call_tree.hpp"

#include <algorithm>
#include <map>

namespace pipeline::workflow::plan {

namespace {

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) {
    text += (i == 0 ? "" : std::string(separator)) + items[i];
  }
  return text;
}

/// The jobs of `scope` with this id: one, or none for a need outside the plan.
std::vector<const PlanJob*> with_id(const std::vector<PlanJob>& scope, std::string_view id) {
  std::vector<const PlanJob*> out;
  for (const auto& job : scope) {
    if (job.id == id) {
      out.push_back(&job);
    }
  }
  return out;
}

/// The names of the jobs `job` needs, for the text view.
std::vector<std::string> need_names(const std::vector<PlanJob>& scope, const PlanJob& job) {
  std::vector<std::string> names;
  for (const auto& id : job.needs) {
    const auto found = with_id(scope, id);
    names.push_back(found.empty() ? id : found.front()->name);
  }
  return names;
}

/// A call is shown under its own heading when its name says more than the caller's.
bool call_heading(const PlanJob& job, const PlanCall& call) {
  return job.calls.size() > 1 || call.name != job.name;
}

// ---- text -------------------------------------------------------------------------------

struct TextLine {
  std::string left;   // indentation and name
  std::string right;  // `<- needs`, what it calls, notes
};

void text_lines(const std::vector<PlanJob>& scope, int depth, std::vector<TextLine>& out) {
  const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
  for (const auto& job : scope) {
    std::string right = job.needs.empty() ? "" : "<- " + join(need_names(scope, job), ", ");
    if (!job.uses.empty() && job.note.find(job.uses) == std::string::npos) {
      right += (right.empty() ? "" : " ") + std::string("(calls ") + job.uses + ")";
    }
    for (const auto* note : {&job.note, job.calls.size() == 1 && !call_heading(job, job.calls.front())
                                            ? &job.calls.front().note
                                            : static_cast<const std::string*>(nullptr)}) {
      if (note && !note->empty()) {
        right += (right.empty() ? "(" : " (") + *note + ")";
      }
    }
    out.push_back({indent + job.name, right});
    for (const auto& call : job.calls) {
      const bool heading = call_heading(job, call);
      if (heading) {
        out.push_back({indent + "  " + call.name, call.note.empty() ? "" : "(" + call.note + ")"});
      }  // otherwise its note is on the caller's line
      text_lines(call.jobs, depth + (heading ? 2 : 1), out);
    }
  }
}

// ---- graphs -----------------------------------------------------------------------------

/// Which side of a job an edge meets: where edges into it end, or where edges out of it start.
enum class Side { entry, exit };

/// Whether `inner` is on `side` of its call: a first job (needs nothing) or a last (nothing
/// in the call needs it).
bool on_side(Side side, const PlanCall& call, const PlanJob& inner) {
  if (side == Side::entry) {
    return inner.needs.empty();
  }
  return std::none_of(call.jobs.begin(), call.jobs.end(), [&](const PlanJob& other) {
    return std::find(other.needs.begin(), other.needs.end(), inner.id) != other.needs.end();
  });
}

/// The nodes an edge meets at `side` of `job`: the job itself, or, for a job that calls
/// workflows, the first (or last) jobs of each call, followed down through nested calls.
std::vector<std::string> side_nodes(const PlanJob& job, Side side) {
  if (job.calls.empty()) {
    return {job.name};
  }
  std::vector<std::string> out;
  for (const auto& call : job.calls) {
    for (const auto& inner : call.jobs) {
      if (on_side(side, call, inner)) {
        const auto more = side_nodes(inner, side);
        out.insert(out.end(), more.begin(), more.end());
      }
    }
  }
  return out;
}

/// Every need edge of a scope and of the calls inside it, as (from, to) node names.
void edges(const std::vector<PlanJob>& scope, std::vector<std::pair<std::string, std::string>>& out) {
  for (const auto& job : scope) {
    for (const auto& id : job.needs) {
      for (const PlanJob* need : with_id(scope, id)) {
        for (const auto& from : side_nodes(*need, Side::exit)) {
          for (const auto& to : side_nodes(job, Side::entry)) {
            out.emplace_back(from, to);
          }
        }
      }
    }
    for (const auto& call : job.calls) {
      edges(call.jobs, out);
    }
  }
}

/// A node's or a call's label: its name, and its note on a second line.
std::string labelled(const std::string& name, const std::string& note) {
  return note.empty() ? name : name + "\n(" + note + ")";
}

std::string dot_quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out + "\"";
}

class DotWriter {
public:
  std::string nodes(const std::vector<PlanJob>& scope, int depth) {
    const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
    std::string text;
    for (const auto& job : scope) {
      if (job.calls.empty()) {
        text += indent + dot_quoted(job.name) +
                (job.note.empty() ? std::string() : " [label=" + dot_quoted(labelled(job.name, job.note)) + "]") + ";\n";
        continue;
      }
      for (const auto& call : job.calls) {
        const std::string label = labelled(call.name, call.note);
        const std::string cluster = "cluster_" + std::to_string(m_clusters++);  // numbered before the calls inside
        text += indent + "subgraph " + dot_quoted(cluster) + " {\n" + indent +
                "  label=" + dot_quoted(label) + ";\n" + nodes(call.jobs, depth + 1) + indent + "}\n";
      }
    }
    return text;
  }

private:
  int m_clusters = 0;
};

std::string mermaid_label(std::string_view text) {
  std::string label;
  for (char c : text) {
    label += c == '"' ? std::string("#quot;") : c == '\n' ? std::string("<br/>") : std::string(1, c);
  }
  return "[\"" + label + "\"]";
}

// Job names may hold characters Mermaid ids cannot (`.`, spaces, `/`), so nodes and subgraphs
// get positional ids and the name becomes the label.
class MermaidWriter {
public:
  std::string nodes(const std::vector<PlanJob>& scope, int depth) {
    const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
    std::string text;
    for (const auto& job : scope) {
      if (job.calls.empty()) {
        text += indent + id_of(job.name) + mermaid_label(labelled(job.name, job.note)) + "\n";
        continue;
      }
      for (const auto& call : job.calls) {
        const std::string label = labelled(call.name, call.note);
        const std::string subgraph = "s" + std::to_string(m_subgraphs++);  // numbered before the calls inside
        text += indent + "subgraph " + subgraph + mermaid_label(label) + "\n" +
                nodes(call.jobs, depth + 1) + indent + "end\n";
      }
    }
    return text;
  }

  std::string id_of(const std::string& name) {
    auto [it, added] = m_ids.emplace(name, "j" + std::to_string(m_ids.size()));
    return it->second;
  }

private:
  std::map<std::string, std::string> m_ids;
  int m_subgraphs = 0;
};

}  // namespace

std::string render_plan_text(const std::vector<PlanJob>& jobs) {
  std::vector<TextLine> lines;
  text_lines(jobs, 0, lines);
  std::size_t width = 0;
  for (const auto& line : lines) {
    width = std::max(width, line.left.size());
  }
  std::string text;
  for (const auto& line : lines) {
    text += line.right.empty() ? line.left : line.left + std::string(width - line.left.size(), ' ') + " " + line.right;
    text += "\n";
  }
  return text;
}

std::string render_plan_dot(const std::vector<PlanJob>& jobs, std::string_view title) {
  DotWriter writer;
  std::string text = "digraph " + dot_quoted(title) + " {\n  rankdir=LR;\n  node [shape=box];\n" + writer.nodes(jobs, 1);
  std::vector<std::pair<std::string, std::string>> all;
  edges(jobs, all);
  for (const auto& [from, to] : all) {
    text += "  " + dot_quoted(from) + " -> " + dot_quoted(to) + ";\n";
  }
  return text + "}\n";
}

std::string render_plan_mermaid(const std::vector<PlanJob>& jobs) {
  MermaidWriter writer;
  std::string text = "flowchart LR\n" + writer.nodes(jobs, 1);
  std::vector<std::pair<std::string, std::string>> all;
  edges(jobs, all);
  for (const auto& [from, to] : all) {
    text += "  " + writer.id_of(from) + " --> " + writer.id_of(to) + "\n";
  }
  return text;
}

}  // namespace pipeline::workflow::plan
