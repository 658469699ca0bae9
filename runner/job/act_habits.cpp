#include "runner/job/act_habits.hpp"

#include <algorithm>
#include <filesystem>

#include "runner/secrets/dotenv.hpp"

namespace pipeline::runner::job {

namespace fs = std::filesystem;

namespace {

/// Drops step output and groups; everything else reaches the wrapped sink.
class QuietSink final : public engine::EventSink {
public:
  explicit QuietSink(std::unique_ptr<engine::EventSink> inner) : m_inner(std::move(inner)) {}
  void handle(const engine::Event& event) override {
    if (event.kind != engine::EventKind::output && event.kind != engine::EventKind::group_start &&
        event.kind != engine::EventKind::group_end) {
      m_inner->handle(event);
    }
  }
  void flush() override { m_inner->flush(); }
  void finish() override { m_inner->finish(); }

private:
  std::unique_ptr<engine::EventSink> m_inner;
};

}  // namespace

std::string take_event_file(RunOptions& options) {
  std::error_code ec;
  if (options.event.empty() || !options.event_path.empty() || !fs::is_regular_file(options.event, ec)) {
    return {};
  }
  const std::string file = options.event;
  options.event_path = file;
  options.event.clear();
  return "pipe: note: '-e " + file + "' names a file: it is read as the event payload, as act does; "
         "pipe's -e names the event, --event-path FILE gives the payload";
}

Result<void> read_input_files(RunOptions& options, const std::string& dir) {
  std::vector<std::string> files = options.input_files;
  std::error_code ec;
  if (files.empty() && fs::is_regular_file(fs::path(dir) / ".input", ec)) {
    files.push_back((fs::path(dir) / ".input").string());
  }
  std::vector<std::pair<std::string, std::string>> from_files;
  for (const auto& file : files) {
    auto entries = secrets::load_dotenv_file(file, secrets::environment_lookup());
    if (!entries) {
      return Error{"--input-file " + file + ": " + entries.error().message};
    }
    for (auto& entry : *entries) {
      from_files.emplace_back(entry.name, std::move(entry.value));
    }
  }
  // --input wins: the files' values go first, and a later value of the same name replaces them.
  options.inputs.insert(options.inputs.begin(), from_files.begin(), from_files.end());
  return {};
}

void apply_repository_flags(const RunOptions& options, git::RepoInfo& repo) {
  if (!options.actor.empty()) {
    repo.actor = options.actor;
  }
  if (!options.default_branch.empty()) {
    repo.default_branch = options.default_branch;
  }
}

std::string remote_name(const RunOptions& options) {
  return options.remote_name.empty() ? "origin" : options.remote_name;
}

std::unique_ptr<engine::EventSink> quiet_if_asked(const RunOptions& options, std::unique_ptr<engine::EventSink> sink) {
  if (!options.quiet || options.json) {
    return sink;
  }
  return std::make_unique<QuietSink>(std::move(sink));
}

}  // namespace pipeline::runner::job
