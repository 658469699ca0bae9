// `pipe secrets list` — each secret a run would get and where it comes from, never its value.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "runner/cli/app.hpp"
#include "runner/job/environments.hpp"
#include "runner/job/run_inputs.hpp"

namespace pipeline::runner::cli {

namespace {

/// The repository's secrets, with environment `name`'s over them when one is named.
Result<std::vector<job::SecretEntry>> merged_secrets(const job::RunOptions& options, const std::string& dir,
                                                        const std::string& environment) {
  auto secrets = job::collect_secrets(options, dir);
  if (!secrets || environment.empty()) {
    return secrets;
  }
  auto scoped = job::environment_secrets(options, dir, environment, job::SecretReach::everywhere);
  if (!scoped) {
    return scoped.error();
  }
  return job::layer_secrets(std::move(*secrets), *scoped);
}

int list_secrets(const job::RunOptions& given, const std::string& environment) {
  const std::string dir = std::filesystem::absolute(given.directory).lexically_normal().string();
  auto options = job::apply_config(given, dir);
  auto secrets = options ? merged_secrets(*options, dir, environment)
                         : Result<std::vector<job::SecretEntry>>(options.error());
  if (!secrets) {
    std::cerr << "pipe: error: " << secrets.error().message << '\n';
    return k_exit_usage;
  }
  std::size_t width = 4;
  for (const auto& s : *secrets) {
    width = std::max(width, s.name.size());
  }
  for (const auto& s : *secrets) {
    std::cout << s.name << std::string(width - s.name.size() + 2, ' ') << s.origin << '\n';
  }
  if (secrets->empty()) {
    std::cout << "no secrets\n";
  }
  return k_exit_success;
}

}  // namespace

std::function<int()> setup_secrets(CLI::App& app) {
  auto options = std::make_shared<job::RunOptions>();
  app.require_subcommand(1);
  CLI::App* list = app.add_subcommand("list", "Each secret's name and origin (never its value)");
  list->add_option("-C,--directory", options->directory, "The repository");
  list->add_option("-s,--secret", options->secrets, "Secret NAME=VALUE, or NAME to take it from the environment");
  list->add_option("--secret-file", options->secret_files, "Secrets file (default: .secrets when present)");
  list->add_option("--vault-secret", options->vault_secrets, "Vault secrets in vault-action syntax");
  list->add_flag("--github-token-from-env", options->github_token_from_env, "Use $GITHUB_TOKEN as a secret");
  auto environment = std::make_shared<std::string>();
  list->add_option("--environment", *environment,
                   "Show what jobs of this deployment environment get: its secrets over the repository's");
  return [options, environment] { return list_secrets(*options, *environment); };
}

}  // namespace pipeline::runner::cli
