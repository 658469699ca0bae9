// `pipe runner register|daemon|config` — pipe as a self-hosted runner of a Gitea/Forgejo
// Actions server.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "runner/cli/app.hpp"
#include "runner/forge/daemon.hpp"
#include "runner/forge/daemon_config.hpp"
#include "runner/forge/register.hpp"

namespace pipeline::runner::cli {

std::function<int()> setup_runner(CLI::App& app) {
  auto chosen = std::make_shared<std::function<int()>>();
  app.require_subcommand(1);

  auto reg = std::make_shared<forge::RegisterOptions>();
  CLI::App* register_cmd = app.add_subcommand("register", "Register with a forge and write the registration file");
  register_cmd->add_option("--instance", reg->instance, "The forge's URL (https://gitea.example.com)");
  register_cmd->add_option("--token", reg->token, "The registration token (or --token-file, or $PIPE_RUNNER_TOKEN)");
  register_cmd->add_option("--token-file", reg->token_file, "A file holding the registration token");
  register_cmd->add_option("--name", reg->name, "The runner's name (default: the host name)");
  register_cmd->add_option("--labels", reg->labels, "NAME:docker://IMAGE or NAME:host, comma-separated");
  register_cmd->add_option("--file", reg->file, "Where the registration goes (default: .runner)");
  register_cmd->add_flag("--no-interactive", reg->no_interactive, "Never prompt; fail when something is missing");
  register_cmd->add_flag("--insecure", reg->insecure, "Skip the TLS certificate check of the forge");
  register_cmd->callback([chosen, reg] { *chosen = [reg] { return forge::run_register(*reg); }; });

  auto daemon = std::make_shared<forge::DaemonOptions>();
  CLI::App* daemon_cmd = app.add_subcommand("daemon", "Take jobs from the forge and run them");
  daemon_cmd->add_option("-c,--config", daemon->config_file, "The runner's configuration (see `pipe runner config`)");
  daemon_cmd->add_flag("--once", daemon->once, "Run the tasks waiting, exit when none is left");
  daemon_cmd->callback([chosen, daemon] {
    *chosen = [daemon] {
      return run_interruptible([daemon](engine::Interruption& interruption) {
        return forge::run_daemon(*daemon, interruption);
      });
    };
  });

  CLI::App* config_cmd = app.add_subcommand("config", "Print an example configuration with every setting");
  config_cmd->callback([chosen] {
    *chosen = [] {
      std::cout << forge::example_config();
      return static_cast<int>(k_exit_success);
    };
  });
  return [chosen] { return *chosen ? (*chosen)() : static_cast<int>(k_exit_usage); };
}

}  // namespace pipeline::runner::cli
