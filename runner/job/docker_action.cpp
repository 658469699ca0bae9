#include "runner/job/docker_action.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "runner/docker/docker_backend.hpp"
#include "runner/docker/engine_client.hpp"
#include "runner/engine/shell.hpp"

namespace pipeline::runner::job {

namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t k_fnv_offset = 1469598103934665603ULL;
constexpr std::uint64_t k_fnv_prime = 1099511628211ULL;

void mix(std::uint64_t& hash, std::string_view bytes) {
  for (unsigned char c : bytes) {
    hash = (hash ^ c) * k_fnv_prime;
  }
}

std::string base_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string action_image_tag(const std::string& action_dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(action_dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file()) {
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  std::uint64_t hash = k_fnv_offset;
  for (const auto& file : files) {
    mix(hash, file.lexically_relative(action_dir).generic_string());
    mix(hash, std::string_view("\0", 1));
    std::ifstream in(file, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    mix(hash, content.str());
  }
  std::ostringstream tag;
  tag << "pipe-action/" << std::hex << std::setw(16) << std::setfill('0') << hash << ":latest";
  return tag.str();
}

Result<std::string> prepare_action_image(ContainerActions& engine, const actions::ResolvedAction& action,
                                         const std::function<void(const std::string&)>& on_output) {
  std::string image = action.image;
  if (action.kind != actions::ActionKind::docker) {
    const auto& declared = action.manifest->runs.image;
    const std::string written = declared ? declared->value : "Dockerfile";
    if (written.rfind("docker://", 0) == 0) {
      image = written.substr(9);
    } else {
      const std::string tag = action_image_tag(action.dir);
      if (auto built = engine.ensure_built_image(action.dir, written, tag, on_output); !built) {
        return built.error();
      }
      return tag;
    }
  }
  if (auto ready = engine.ensure_image(image, std::nullopt); !ready) {
    return ready.error();
  }
  return image;
}

Result<DockerCommand> docker_action_command(const actions::ResolvedAction& action, ActionStage stage,
                                            const ActionInputs& inputs, workflow::expr::MapContext& ctx, EnvList& env) {
  DockerCommand command;
  ctx.set("inputs", inputs_context(inputs.values));
  if (!action.manifest) {
    // docker:// steps take their command line from with: args and entrypoint.
    if (const std::string* args = find_env(inputs.values, "args")) {
      command.args = engine::split_arguments(*args);
    }
    if (const std::string* entrypoint = find_env(inputs.values, "entrypoint")) {
      command.entrypoint = std::vector<std::string>{*entrypoint};
    }
    return command;
  }
  const auto& runs = action.manifest->runs;
  const auto& entry = stage == ActionStage::pre    ? runs.pre_entrypoint
                      : stage == ActionStage::post ? runs.post_entrypoint
                                                   : runs.entrypoint;
  if (entry) {
    command.entrypoint = std::vector<std::string>{entry->value};
  }
  if (runs.args && runs.args->is_sequence()) {
    for (const auto& arg : runs.args->items) {
      auto value = evaluate_string(arg, ctx);
      if (!value) {
        return Error{where_prefix(arg.where) + value.error().message};
      }
      command.args.push_back(std::move(*value));
    }
  }
  if (auto r = evaluate_env(runs.env, ctx, env); !r) {
    return r.error();
  }
  return command;
}

std::vector<Mount> action_mounts(const ActionMountSources& sources) {
  return {{sources.workspace, "/github/workspace", false},
          {sources.file_commands, "/github/file_commands", false},
          {sources.home, "/github/home", false},
          {sources.workflow, "/github/workflow", false}};
}

EnvList container_action_env(EnvList env) {
  for (const char* name : {"GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_STATE", "GITHUB_PATH", "GITHUB_STEP_SUMMARY"}) {
    if (const std::string* value = find_env(env, name)) {
      set_env(env, name, "/github/file_commands/" + base_name(*value));
    }
  }
  set_env(env, "GITHUB_WORKSPACE", "/github/workspace");
  set_env(env, "GITHUB_EVENT_PATH", "/github/workflow/event.json");
  set_env(env, "HOME", "/github/home");
  return env;
}

}  // namespace pipeline::runner::job
