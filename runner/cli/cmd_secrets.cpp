// `pipe secrets list` — each secret a run would get and where it comes from, never its value.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "runner/cli/app.hpp"
#include "runner/job/run_inputs.hpp"

namespace pipeline::runner::cli {

namespace {

int list_secrets(const job::RunOptions& given) {
  const std::string dir = std::filesystem::absolute(given.directory).lexically_normal().string();
  auto options = job::apply_config(given, dir);
  auto secrets = options ? job::collect_secrets(*options, dir)
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
  return [options] { return list_secrets(*options); };
}

}  // namespace pipeline::runner::cli
