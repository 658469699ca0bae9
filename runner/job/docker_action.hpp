#pragma once
// Docker container actions: the image an action runs in (pulled, or built from its Dockerfile and
// cached by the content of the action directory) and the layout GitHub mounts into it.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actions/resolver.hpp"
#include "runner/backend/backend.hpp"
#include "runner/backend/container_actions.hpp"
#include "runner/job/action_step.hpp"
#include "runner/job/contexts.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::job {

/// A tag naming the image built from an action directory: the same content, the same tag.
[[nodiscard]] std::string action_image_tag(const std::string& action_dir);

/// The image a Docker action runs: `docker://` images are made available, Dockerfiles built once.
[[nodiscard]] Result<std::string> prepare_action_image(ContainerActions& engine,
                                                       const actions::ResolvedAction& action,
                                                       const std::function<void(const std::string&)>& on_output);

/// The command line of a Docker action at one stage.
struct DockerCommand {
  std::optional<std::vector<std::string>> entrypoint;  // unset: the image's
  std::vector<std::string> args;
};

/// Evaluates `entrypoint` (or `pre-`/`post-entrypoint`), `args` and `runs.env` (into `env`);
/// `docker://` steps take `with: entrypoint` and `with: args` instead.
[[nodiscard]] Result<DockerCommand> docker_action_command(const actions::ResolvedAction& action, ActionStage stage,
                                                          const ActionInputs& inputs,
                                                          workflow::expr::MapContext& ctx, EnvList& env);

/// Host directories of one job as a Docker action sees them.
struct ActionMountSources {
  std::string workspace;      // -> /github/workspace
  std::string file_commands;  // -> /github/file_commands
  std::string home;           // -> /github/home
  std::string workflow;       // -> /github/workflow
};

/// GitHub's mounts for a Docker action container.
[[nodiscard]] std::vector<Mount> action_mounts(const ActionMountSources& sources);

/// The step environment with host paths replaced by the container's `/github/...` paths.
[[nodiscard]] EnvList container_action_env(EnvList env);

}  // namespace pipeline::runner::job
