#pragma once
// What `pipe run` was asked to do, after the command line is parsed.
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/docker/pull_policy.hpp"
#include "runner/engine/terminal_mode.hpp"
#include "runner/secrets/vault.hpp"

namespace pipeline::runner::engine {
class EventSink;
}

namespace pipeline::runner::job {

/// Where jobs run.
enum class BackendChoice { automatic, host, docker, podman };

/// Whether the workspace is shared with the user's tree or copied.
enum class WorkspaceMode { bind, copy };

/// How the terminal shows a run.
enum class OutputStyle {
  full,     // every event, with the final summary
  ci,       // every event, plain, each line timestamped (`--ci`)
  compact,  // a git hook: one line per job, the failing step's output
};

/// Which workflows of the loaded set run.
enum class WorkflowSelection {
  triggers,  // those whose trigger matches the event (branch, path and type filters)
  all,       // every loaded one: the caller has already chosen (a git hook)
};

/// A report file written when the run ends (`--report KIND=FILE`).
struct ReportRequest {
  std::string kind;  // junit | json
  std::string file;
};

/// `environments.<name>` of the config: what a deployment environment adds to its jobs.
struct EnvironmentSettings {
  std::optional<bool> protect;            // `protected:`; unset: only `production` is protected
  std::vector<std::string> secret_files;  // absolute; empty: `.secrets.<name>` when present
  std::vector<std::string> var_files;     // absolute; empty: `.vars.<name>` when present
  std::vector<std::string> env_files;     // absolute
  std::string vault_secrets;              // vault-action `secrets:` lines
};

/// A job that ran elsewhere (a forge's other runner) as the `needs` context shows it.
struct GivenNeed {
  std::string result;  // success | failure | cancelled | skipped
  std::vector<std::pair<std::string, std::string>> outputs;
};

/// Called with a job's id and outputs when it ends.
using JobOutputsHandler =
    std::function<void(const std::string& job, const std::vector<std::pair<std::string, std::string>>& outputs)>;

/// Every setting of one `pipe run`.
struct RunOptions {
  std::string directory = ".";            // -C: the repository
  std::vector<std::string> workflows;     // files or dirs; empty: .github/workflows
  std::string event;                      // -e; empty: push, or a workflow's first trigger
  std::string event_path;                 // --event-path: payload JSON
  std::vector<std::pair<std::string, std::string>> inputs;  // --input KEY=VALUE
  std::vector<std::string> jobs;          // -j: these jobs and what they need
  std::vector<std::string> matrix_filters;  // --matrix KEY=VALUE
  std::size_t parallel = 0;               // -p; 0: number of cores
  BackendChoice backend = BackendChoice::automatic;
  std::vector<std::pair<std::string, std::string>> platforms;  // -P LABEL=IMAGE|host
  bool strict = false;                    // --strict: a job whose runs-on no runner serves fails
  WorkspaceMode workspace = WorkspaceMode::bind;
  bool reuse = false;                     // --reuse: keep job containers between runs
  std::chrono::seconds reuse_idle{0};     // a kept container removes itself after this long unused (a warm hook); 0: never
  docker::PullPolicy pull = docker::PullPolicy::missing;
  bool dry_run = false;
  bool json = false;
  bool explain = false;
  bool verbose = false;
  bool engine_socket = true;
  bool agent = true;                      // false (--no-agent, `agent: false`): container steps run as one exec each
  bool warm = true;                       // false (--no-warm, `warm: false`): no job container is started ahead of its job
  bool privileged = false;                 // --privileged: every job container
  std::vector<std::string> cap_add;        // --container-cap-add
  std::string container_options;           // --container-options: appended to each job container's options
  std::string container_network;           // every container joins this network (a forge runner's `container.network`)
  OutputStyle output = OutputStyle::full;
  bool github_actions = false;            // GITHUB_ACTIONS=true in pipe's own environment
  std::optional<engine::ColorChoice> color;        // --color; unset: the `color` key, else auto
  std::optional<engine::ProgressChoice> progress;  // --progress; unset: the `progress` key, else auto
  std::string follow;                     // --follow JOB: only this job's step output on the terminal
  std::vector<ReportRequest> reports;     // --report junit=FILE, json=FILE
  std::string workspace_override;         // jobs run here instead of the repository (a hook's export)
  std::optional<std::vector<std::string>> changed_files;  // path filters see these, not the tree's
  WorkflowSelection selection = WorkflowSelection::triggers;
  std::vector<std::string> secrets;       // -s NAME=VALUE or NAME
  std::vector<std::string> secret_files;  // --secret-file; default .secrets when present
  std::vector<std::string> env_files;     // --env-file; default .env when present
  std::vector<std::string> vars;          // --var NAME=VALUE
  std::vector<std::string> var_files;     // --var-file; default .vars when present
  std::vector<std::string> vault_secrets;  // vault-action lines: the config's, then --vault-secret
  secrets::VaultSources vault;             // vault connection from the config (environment wins)
  bool github_token_from_env = false;      // --github-token-from-env
  std::string actions_url;                // --actions-url; empty: https://github.com/
  std::string artifact_dir;               // --artifact-dir: artifacts go to DIR/<run-id>/; empty: the run record
  std::string cache_dir;                  // --cache-dir: actions/cache entries; empty: the user's cache folder
  bool offline = false;                   // --offline: actions from the cache only
  std::vector<std::pair<std::string, std::string>> action_overrides;  // --action-override owner/repo@ref=PATH
  // A task handed out by a forge (`pipe runner daemon`): what the server knows and pipe does not.
  std::optional<nlohmann::json> github_context;  // merged over the github context read from the tree
  std::map<std::string, GivenNeed> given_needs;  // needs of jobs that ran elsewhere, by job id
  std::vector<std::pair<std::string, std::string>> forge_results_env;  // the forge's artifact service (ACTIONS_*)
  std::vector<engine::EventSink*> event_sinks;   // more destinations of every (masked) event
  JobOutputsHandler on_job_outputs;              // each job's outputs when it ends
  // Deployment environments and the habits act users bring.
  std::map<std::string, EnvironmentSettings> environments;  // the config's `environments:`
  std::vector<std::string> approvals;     // --approve NAME: protected environments approved ahead
  bool protect_environments = true;       // false: every environment counts as approved (a forge's task)
  bool quiet = false;                     // -q: no step output on the terminal
  std::string actor;                      // --actor: github.actor; empty: from git
  std::string remote_name;                // --remote-name: the remote naming the repository; empty: origin
  std::string default_branch;             // --default-branch; empty: from git
  std::vector<std::string> input_files;   // --input-file: dotenv inputs; default .input when present
  std::vector<std::string> cap_drop;      // --container-cap-drop
  std::string network;                    // --network: the network job containers join
};

}  // namespace pipeline::runner::job
