// `pipe cache` — the entries actions/cache saved through pipe: list them, remove one key, prune.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>

#include "runner/cache/store.hpp"
#include "runner/cli/app.hpp"
#include "runner/config/config.hpp"
#include "runner/git/git_context.hpp"

namespace pipeline::runner::cli {
namespace {

struct CacheFlags {
  std::string dir;         // --cache-dir
  std::string repository;  // --repo; default: the repository of the current directory
  bool all = false;        // list: every repository
  std::string key;         // rm
  int max_idle_days = 7;   // prune: GitHub removes entries not accessed in 7 days
};

std::filesystem::path store_root(const CacheFlags& flags) {
  if (!flags.dir.empty()) {
    return std::filesystem::absolute(flags.dir);
  }
  const auto loaded = config::load_config(std::filesystem::current_path().string(), config::process_environment());
  if (const std::string configured = loaded.config.path("cache-dir"); !configured.empty()) {
    return configured;
  }
  return cache::default_root(config::process_environment());
}

std::string current_repository() {
  auto repo = git::read_repository(std::filesystem::current_path());
  if (!repo || !repo->is_repository) {
    return "";
  }
  return cache::repository_key(repo->repository, repo->workspace);
}

std::string human_size(std::uint64_t bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return text;
}

std::string local_time(std::int64_t ns) {
  const std::time_t seconds = static_cast<std::time_t>(ns / 1'000'000'000);
  std::tm local{};
  ::localtime_r(&seconds, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &local);
  return text;
}

int list(const CacheFlags& flags) {
  cache::Store store(store_root(flags));
  std::vector<std::string> repositories;
  if (flags.all) {
    repositories = store.repositories();
  } else {
    const std::string repository = flags.repository.empty() ? current_repository() : flags.repository;
    if (repository.empty()) {
      std::cerr << "pipe: error: not in a git repository; name one with --repo or list every one with --all\n";
      return k_exit_usage;
    }
    repositories.push_back(repository);
  }
  for (const std::string& repository : repositories) {
    auto entries = store.entries(repository);
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.last_used_ns > b.last_used_ns; });
    std::uint64_t total = 0;
    for (const auto& entry : entries) {
      total += entry.size;
    }
    std::cout << repository << ": " << entries.size() << " entr" << (entries.size() == 1 ? "y" : "ies") << ", "
              << human_size(total) << '\n';
    for (const auto& entry : entries) {
      std::cout << "  " << entry.key << "  " << human_size(entry.size) << "  " << entry.scope << "  used "
                << local_time(entry.last_used_ns) << "  version " << entry.version.substr(0, 12) << '\n';
    }
  }
  return k_exit_success;
}

int remove(const CacheFlags& flags) {
  const std::string repository = flags.repository.empty() ? current_repository() : flags.repository;
  if (repository.empty()) {
    std::cerr << "pipe: error: not in a git repository; name one with --repo\n";
    return k_exit_usage;
  }
  cache::Store store(store_root(flags));
  const std::size_t removed = store.remove(repository, flags.key);
  if (removed == 0) {
    std::cerr << "pipe: error: no cache entry with key '" << flags.key << "' in " << repository << '\n';
    return k_exit_job_failed;
  }
  std::cout << "removed " << removed << " entr" << (removed == 1 ? "y" : "ies") << " with key '" << flags.key
            << "' from " << repository << '\n';
  return k_exit_success;
}

int prune(const CacheFlags& flags) {
  cache::Store store(store_root(flags));
  const std::size_t removed = store.prune(std::chrono::hours(24) * flags.max_idle_days);
  std::cout << "removed " << removed << " cache entr" << (removed == 1 ? "y" : "ies")
            << " and unfinished upload(s) under " << store.root().string() << '\n';
  return k_exit_success;
}

}  // namespace

std::function<int()> setup_cache(CLI::App& app) {
  auto flags = std::make_shared<CacheFlags>();
  app.require_subcommand(1);
  auto action = std::make_shared<std::function<int()>>();
  auto add_common = [flags](CLI::App* cmd) {
    cmd->add_option("--cache-dir", flags->dir,
                    "Where the entries are (default: config `cache-dir`, else $XDG_CACHE_HOME/pipe/actions-cache)");
    return cmd;
  };
  CLI::App* list_cmd = add_common(app.add_subcommand("list", "List the entries of this repository, most recently used first"));
  list_cmd->add_option("--repo", flags->repository, "The repository (owner/name) instead of the current one");
  list_cmd->add_flag("--all", flags->all, "Every repository's entries");
  list_cmd->callback([action, flags] { *action = [flags] { return list(*flags); }; });
  CLI::App* rm_cmd = add_common(app.add_subcommand("rm", "Remove the entries saved under KEY (in every ref)"));
  rm_cmd->add_option("key", flags->key, "The cache key")->required();
  rm_cmd->add_option("--repo", flags->repository, "The repository (owner/name) instead of the current one");
  rm_cmd->callback([action, flags] { *action = [flags] { return remove(*flags); }; });
  CLI::App* prune_cmd = add_common(app.add_subcommand(
      "prune", "Remove unfinished uploads of killed runs, entries unused for a week, and entries over 10 GB"));
  prune_cmd->add_option("--max-idle-days", flags->max_idle_days, "Remove entries unused for this many days")
      ->check(CLI::NonNegativeNumber);
  prune_cmd->callback([action, flags] { *action = [flags] { return prune(*flags); }; });
  return [action] { return *action ? (*action)() : static_cast<int>(k_exit_usage); };
}

}  // namespace pipeline::runner::cli
