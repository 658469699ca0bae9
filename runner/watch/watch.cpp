#include "runner/watch/watch.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "runner/job/run.hpp"
#include "runner/job/run_inputs.hpp"
#include "runner/secrets/prompt.hpp"
#include "runner/watch/ignore_rules.hpp"
#include "runner/watch/inotify_events.hpp"
#include "runner/watch/watch_loop.hpp"
#include "workflow/base/exit_code.hpp"

namespace pipeline::runner::watch {
namespace {

namespace fs = std::filesystem;

/// What pipe itself writes inside the tree besides `.pipe/`: report files, an artifact or cache
/// folder placed there. A run must not start the next one.
std::vector<std::string> pipe_outputs(const job::RunOptions& options, const fs::path& root) {
  std::vector<fs::path> written;
  for (const auto& report : options.reports) {
    written.emplace_back(report.file);  // relative to the working directory, as the run writes it
  }
  for (const auto& dir : {options.artifact_dir, options.cache_dir}) {
    if (!dir.empty()) {
      written.emplace_back(dir);
    }
  }
  std::vector<std::string> inside;
  for (const auto& path : written) {
    if (auto relative = relative_inside(root, path); !relative.empty()) {
      inside.push_back(std::move(relative));
    }
  }
  return inside;
}

std::vector<std::string> kept_paths(const IgnoreRules& rules, const std::vector<std::string>& paths) {
  std::vector<std::string> kept;
  for (const auto& path : paths) {
    if (!rules.ignored(path)) {
      kept.push_back(rules.repository_path(path));
    }
  }
  return kept;
}

// A `-s NAME` that neither the command line nor the environment gives is typed on the terminal:
// once, before watching, as each run would ask again while the keys are read for `q`.
Result<job::RunOptions> ask_secrets_once(job::RunOptions options) {
  if (options.dry_run || !secrets::can_prompt()) {
    return options;
  }
  for (auto& text : options.secrets) {
    if (text.empty() || text.find('=') != std::string::npos || std::getenv(text.c_str()) != nullptr) {
      continue;
    }
    auto typed = secrets::prompt_secret("secret " + text);
    if (!typed) {
      return typed.error();
    }
    text += "=" + *typed;
  }
  return options;
}

}  // namespace

int run_watching(const job::RunOptions& given, engine::Interruption& session) {
  const auto asked = ask_secrets_once(given);
  if (!asked) {
    std::cerr << "pipe: error: " << asked.error().message << '\n';
    return k_exit_usage;
  }
  const job::RunOptions& options = *asked;
  const fs::path root = fs::absolute(options.directory).lexically_normal();
  // The configuration may place artifacts or the cache in the tree; a broken one is the run's to report.
  const auto configured = job::apply_config(options, root.string());
  const IgnoreRules rules(root, pipe_outputs(configured ? *configured : options, root));
  auto events = InotifyEvents::open(root, [&rules](const std::string& dir) { return rules.ignored(dir, true); });
  if (!events) {
    std::cerr << "pipe: error: " << events.error().message << '\n';
    return k_exit_usage;
  }
  for (const auto& warning : (*events)->take_warnings()) {
    std::cerr << "pipe watch: warning: " << warning << '\n';
  }
  TerminalKeys keys(STDIN_FILENO);
  WatchSeams seams{
      **events,
      &keys,
      [&rules, &events](const std::vector<std::string>& paths) {
        for (const auto& warning : (*events)->take_warnings()) {
          std::cerr << "pipe watch: warning: " << warning << '\n';  // a new directory over the watch limit
        }
        return kept_paths(rules, paths);
      },
      [&options](const ChangedFiles& changed) { return preview_workflows(options, changed); },
      [&options](const ChangedFiles& changed, engine::Interruption& interruption) {
        job::RunOptions run_options = options;
        run_options.changed_files = changed;
        const auto result = job::run(run_options, interruption);
        for (const auto& error : result.errors) {
          std::cerr << "pipe: error: " << error << '\n';
        }
        return result.exit_code();
      },
      std::cerr,
      Debouncer(),
  };
  return watch_loop(seams, session);
}

}  // namespace pipeline::runner::watch
