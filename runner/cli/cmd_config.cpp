// `pipe config` — every effective setting and its origin: flag > environment > file > default.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "runner/cli/app.hpp"
#include "runner/config/config.hpp"

namespace pipeline::runner::cli {

namespace {

struct ConfigFlags {
  std::string directory = ".";
  std::vector<std::string> platforms;
  std::string backend;
  std::string parallel;
};

std::string one_line(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& value : values) {
    out += (out.empty() ? "" : ", ") + value;
  }
  for (auto& c : out) {
    c = c == '\n' ? ' ' : c;
  }
  return out;
}

void print(const std::string& key, const std::string& value, const std::string& origin) {
  std::cout << key << " = " << value << "  (" << origin << ")\n";
}

int show_config(const ConfigFlags& flags) {
  const std::string dir = std::filesystem::absolute(flags.directory).lexically_normal().string();
  auto loaded = config::load_config(dir, config::process_environment());
  if (!loaded.diagnostics.empty()) {
    std::cerr << loaded.format();
  }
  if (workflow::has_errors(loaded.diagnostics)) {
    return k_exit_usage;
  }
  auto& cfg = loaded.config;
  if (!flags.backend.empty()) {
    cfg.set({"backend", {flags.backend}, "flag", ""});
  }
  if (!flags.parallel.empty()) {
    cfg.set({"parallel", {flags.parallel}, "flag", ""});
  }
  for (const auto& text : flags.platforms) {
    const auto eq = text.find('=');
    std::cout << "platforms." << text.substr(0, eq) << " = " << (eq == std::string::npos ? "" : text.substr(eq + 1))
              << "  (flag)\n";
  }
  for (const auto& info : config::known_keys()) {
    if (info.kind == config::Kind::section) {
      continue;
    }
    if (std::string_view(info.key).find('*') != std::string_view::npos) {  // one line per name set
      for (const auto& setting : cfg.settings()) {
        if (config::key_matches(info.key, setting.key)) {
          print(setting.key, one_line(setting.values), setting.origin);
        }
      }
      continue;
    }
    if (info.kind == config::Kind::table) {
      for (const auto* setting : cfg.under(info.key)) {
        print(setting->key, one_line(setting->values), setting->origin);
      }
      continue;
    }
    const config::Setting* setting = cfg.find(info.key);
    if (setting) {
      print(info.key, one_line(setting->values), setting->origin);
    } else {
      print(info.key, info.fallback, "default");
    }
  }
  return k_exit_success;
}

}  // namespace

std::function<int()> setup_config(CLI::App& app) {
  auto flags = std::make_shared<ConfigFlags>();
  app.add_option("-C,--directory", flags->directory, "The repository");
  app.add_option("-P,--platform", flags->platforms, "As for pipe run: LABEL=IMAGE or LABEL=host");
  app.add_option("--backend", flags->backend, "As for pipe run");
  app.add_option("-p,--parallel", flags->parallel, "As for pipe run");
  return [flags] { return show_config(*flags); };
}

}  // namespace pipeline::runner::cli
