// `pipe list [PATH...]` — workflows, their triggers and jobs, as a table or JSON.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "runner/cli/app.hpp"
#include "workflow/loader.hpp"
#include "workflow/matrix_size.hpp"

namespace pipeline::runner::cli {
namespace {

struct ListOptions {
  std::vector<std::string> paths;
  std::string directory;
  bool json = false;
};

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& part : parts) {
    out += (out.empty() ? "" : std::string(separator)) + part;
  }
  return out;
}

std::string runs_on_text(const workflow::Job& job) {
  if (job.uses) {
    return "(calls " + job.uses->value + ")";
  }
  if (!job.runs_on) {
    return "-";
  }
  const workflow::Node& node = *job.runs_on;
  std::vector<std::string> labels;
  if (node.is_scalar()) {
    return node.scalar;
  }
  for (const auto& item : node.items) {
    labels.push_back(item.scalar);
  }
  if (const workflow::Node* group = node.find("group")) {
    labels.push_back("group=" + group->scalar);
  }
  if (const workflow::Node* more = node.find("labels")) {
    if (more->is_scalar()) {
      labels.push_back(more->scalar);
    }
    for (const auto& item : more->items) {
      labels.push_back(item.scalar);
    }
  }
  return join(labels, ",");
}

// "-" without a matrix, the number of combinations, or "?" when only run time can tell.
std::string matrix_text(const workflow::Job& job) {
  if (!job.strategy || job.strategy->matrix.is_null()) {
    return "-";
  }
  const auto size = workflow::static_matrix_size(job.strategy->matrix);
  return size ? std::to_string(*size) : "?";
}

std::vector<std::string> needs_of(const workflow::Job& job) {
  std::vector<std::string> needs;
  for (const auto& need : job.needs) {
    needs.push_back(need.value);
  }
  return needs;
}

std::vector<std::string> triggers_of(const workflow::Workflow& wf) {
  std::vector<std::string> events;
  for (const auto& trigger : wf.on) {
    events.push_back(trigger.event.value);
  }
  return events;
}

using Row = std::vector<std::string>;

std::string aligned(const std::vector<Row>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line = " ";
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += " " + row[i];
      if (i + 1 < row.size()) {
        line += std::string(widths[i] - row[i].size() + 1, ' ');
      }
    }
    out += line + "\n";
  }
  return out;
}

std::string table(const workflow::Workflow& wf) {
  std::string out = wf.path + " — " + wf.display_name() + "\n";
  out += "  on: " + join(triggers_of(wf), ", ") + "\n";
  std::vector<Row> rows{{"JOB", "NAME", "NEEDS", "RUNS-ON", "MATRIX"}};
  for (const auto& job : wf.jobs) {
    const auto needs = needs_of(job);
    rows.push_back({job.id.value, job.name ? job.name->value : "-", needs.empty() ? "-" : join(needs, ","),
                    runs_on_text(job), matrix_text(job)});
  }
  return out + aligned(rows);
}

nlohmann::json to_json(const std::vector<workflow::Workflow>& workflows) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& wf : workflows) {
    nlohmann::json jobs = nlohmann::json::array();
    for (const auto& job : wf.jobs) {
      const std::string matrix = matrix_text(job);
      jobs.push_back({{"id", job.id.value},
                      {"name", job.name ? nlohmann::json(job.name->value) : nlohmann::json(nullptr)},
                      {"needs", needs_of(job)},
                      {"runs_on", runs_on_text(job)},
                      {"matrix", matrix == "-" ? nlohmann::json(nullptr)
                                 : matrix == "?" ? nlohmann::json("?")
                                                 : nlohmann::json(std::stoul(matrix))}});
    }
    list.push_back({{"file", wf.path}, {"name", wf.display_name()}, {"triggers", triggers_of(wf)}, {"jobs", jobs}});
  }
  return {{"workflows", list}};
}

int run_list(const ListOptions& options) {
  std::vector<std::filesystem::path> paths(options.paths.begin(), options.paths.end());
  if (paths.empty()) {
    paths.emplace_back(".github/workflows");
  }
  const workflow::LoadedSet set = workflow::load_all(paths, options.directory);
  std::fputs(workflow::format_diagnostics(set).c_str(), stderr);
  if (options.json) {
    // A file name need not be UTF-8; its bad bytes print as U+FFFD instead of aborting the dump.
    const auto text = to_json(set.workflows).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    std::fputs((text + "\n").c_str(), stdout);
  } else {
    for (std::size_t i = 0; i < set.workflows.size(); ++i) {
      std::fputs(((i == 0 ? "" : "\n") + table(set.workflows[i])).c_str(), stdout);
    }
  }
  return workflow::has_errors(set.diagnostics) ? k_exit_usage : k_exit_success;
}

}  // namespace

std::function<int()> setup_list(CLI::App& app) {
  auto options = std::make_shared<ListOptions>();
  app.add_option("paths", options->paths, "Workflow files or directories (default: .github/workflows)");
  app.add_option("-C,--directory", options->directory, "Resolve paths relative to this directory");
  app.add_flag("--json", options->json, "Print the list as JSON");
  return [options] { return run_list(*options); };
}

}  // namespace pipeline::runner::cli
