// Files and sets of files: reading, finding workflows, loading many and reporting together.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "workflow/loader.hpp"
#include "workflow/validate.hpp"
#include "workflow/yaml_node.hpp"

namespace pipeline::workflow {
namespace {

struct FileText {
  std::string text;
  std::optional<Diagnostic> problem;
};

FileText read_file(const std::filesystem::path& file, const std::string& shown) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    return {"", Diagnostic{Severity::error, {shown, 0, 0}, "is a directory, not a workflow file", ""}};
  }
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) {
    return {"", Diagnostic{Severity::error, {shown, 0, 0}, "cannot read file: " + ec.message(), ""}};
  }
  if (size > k_max_yaml_bytes) {
    return {"", Diagnostic{Severity::error, {shown, 0, 0},
                           "file is larger than " + std::string(k_max_yaml_size_text) + " (" +
                               std::to_string(size) + " bytes)",
                           "workflow files are small YAML documents; is this the right file?"}};
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return {"", Diagnostic{Severity::error, {shown, 0, 0}, std::string("cannot read file: ") + std::strerror(errno), ""}};
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return {buffer.str(), std::nullopt};
}

bool is_yaml_name(const std::filesystem::path& file) {
  const std::string extension = file.extension().string();
  return extension == ".yml" || extension == ".yaml";
}

void sort_by_location(std::vector<Diagnostic>& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
  });
}

// One file's outcome, computed independently of every other file.
struct FileOutcome {
  std::optional<Workflow> workflow;
  std::vector<Diagnostic> diagnostics;
  std::optional<std::string> source;
};

FileOutcome load_one(const std::filesystem::path& file, const std::string& shown) {
  FileOutcome outcome;
  FileText content = read_file(file, shown);
  if (content.problem) {
    outcome.diagnostics.push_back(std::move(*content.problem));
    return outcome;
  }
  LoadResult loaded = load_workflow_text(content.text, shown);
  outcome.diagnostics = std::move(loaded.diagnostics);
  if (loaded.workflow) {
    auto semantic = validate(*loaded.workflow);
    outcome.diagnostics.insert(outcome.diagnostics.end(), semantic.begin(), semantic.end());
  }
  sort_by_location(outcome.diagnostics);
  if (loaded.workflow && !has_errors(outcome.diagnostics)) {
    outcome.workflow = std::move(loaded.workflow);
  }
  // A binary file's bytes would garble the terminal, so its diagnostics show no excerpt.
  if (content.text.find('\0') == std::string::npos) {
    outcome.source = std::move(content.text);
  }
  return outcome;
}

// A file to load, or a problem found while listing the paths (kept in order with the files).
struct Task {
  std::filesystem::path file;
  std::string shown;
  std::optional<Diagnostic> problem;
  FileOutcome outcome;
};

std::vector<Task> list_tasks(const std::vector<std::filesystem::path>& paths, const std::filesystem::path& base) {
  std::vector<Task> tasks;
  for (const auto& path : paths) {
    const std::filesystem::path actual = path.is_absolute() || base.empty() ? path : base / path;
    std::error_code ec;
    if (!std::filesystem::is_directory(actual, ec)) {
      tasks.push_back({actual, path.generic_string(), std::nullopt, {}});
      continue;
    }
    const auto files = find_workflow_files(actual);
    if (files.empty()) {
      tasks.push_back({{}, {}, Diagnostic{Severity::error, {path.generic_string(), 0, 0},
                                          "no workflow files (*.yml, *.yaml) in this directory", ""}, {}});
    }
    for (const auto& file : files) {
      tasks.push_back({file, (path / file.filename()).generic_string(), std::nullopt, {}});
    }
  }
  return tasks;
}

// Files are independent, so they load on a few threads; results keep the order of `tasks`.
void run_tasks(std::vector<Task>& tasks) {
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t i = next++; i < tasks.size(); i = next++) {
      if (!tasks[i].problem) {
        tasks[i].outcome = load_one(tasks[i].file, tasks[i].shown);
      }
    }
  };
  const std::size_t threads = std::min<std::size_t>({std::max(1U, std::thread::hardware_concurrency()), 8,
                                                      tasks.size() / 8 + 1});
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) {
    pool.emplace_back(work);
  }
  work();
  for (auto& thread : pool) {
    thread.join();
  }
}

std::string plural(std::size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

}  // namespace

LoadResult load_workflow_file(const std::filesystem::path& file) {
  const std::string shown = file.generic_string();
  FileText content = read_file(file, shown);
  if (content.problem) {
    return {std::nullopt, {std::move(*content.problem)}};
  }
  return load_workflow_text(content.text, shown);
}

ActionLoadResult load_action_manifest_file(const std::filesystem::path& file_or_dir) {
  std::filesystem::path file = file_or_dir;
  std::error_code ec;
  if (std::filesystem::is_directory(file_or_dir, ec)) {
    file = file_or_dir / "action.yml";
    if (!std::filesystem::exists(file, ec)) {
      file = file_or_dir / "action.yaml";
    }
  }
  const std::string shown = file.generic_string();
  FileText content = read_file(file, shown);
  if (content.problem) {
    return {std::nullopt, {std::move(*content.problem)}};
  }
  return load_action_manifest_text(content.text, shown);
}

std::vector<std::filesystem::path> find_workflow_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (is_yaml_name(it->path()) && it->is_regular_file(ec)) {
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

LoadedSet load_all(const std::vector<std::filesystem::path>& paths, const std::filesystem::path& base) {
  std::vector<Task> tasks = list_tasks(paths, base);
  run_tasks(tasks);
  LoadedSet set;
  for (auto& task : tasks) {
    if (task.problem) {
      set.diagnostics.push_back(std::move(*task.problem));
      continue;
    }
    ++set.files;
    FileOutcome& outcome = task.outcome;
    if (outcome.workflow) {
      set.workflows.push_back(std::move(*outcome.workflow));
    }
    if (outcome.source) {
      set.sources[task.shown] = std::move(*outcome.source);
    }
    set.diagnostics.insert(set.diagnostics.end(), std::make_move_iterator(outcome.diagnostics.begin()),
                           std::make_move_iterator(outcome.diagnostics.end()));
  }
  return set;
}

std::string format_diagnostics(const LoadedSet& set) {
  // Each file's line starts are found once, so thousands of diagnostics stay linear.
  std::map<std::string, std::vector<std::string_view>> lines;
  for (const auto& [file, source] : set.sources) {
    auto& list = lines[file];
    std::size_t start = 0;
    while (start <= source.size()) {
      const std::size_t end = std::min(source.find('\n', start), source.size());
      std::string_view line(source.data() + start, end - start);
      if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
      }
      list.push_back(line);
      start = end + 1;
    }
  }
  std::string out;
  for (const auto& diagnostic : set.diagnostics) {
    std::string_view text;
    const auto file = lines.find(diagnostic.where.file);
    const auto line = static_cast<std::size_t>(diagnostic.where.line);
    if (file != lines.end() && line > 0 && line <= file->second.size()) {
      text = file->second[line - 1];
    }
    out += format_diagnostic_with_line(diagnostic, text);
  }
  return out;
}

std::string summary_line(const LoadedSet& set) {
  std::size_t errors = 0;
  std::size_t warnings = 0;
  std::vector<std::string> files_with_errors;
  for (const auto& d : set.diagnostics) {
    if (d.severity == Severity::warning) {
      ++warnings;
      continue;
    }
    ++errors;
    if (std::find(files_with_errors.begin(), files_with_errors.end(), d.where.file) == files_with_errors.end()) {
      files_with_errors.push_back(d.where.file);
    }
  }
  std::string line = plural(set.files, "file") + " checked: ";
  if (errors == 0) {
    line += "no errors";
  } else {
    line += plural(errors, "error") + " in " + plural(files_with_errors.size(), "file");
  }
  if (warnings > 0) {
    line += ", " + plural(warnings, "warning");
  }
  return line;
}

}  // namespace pipeline::workflow
