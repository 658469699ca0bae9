#pragma once
// What Docker container actions need of a container engine, beyond the Backend seam: images made
// available or built, and one-off containers run to completion. Plain specs, never Job or Step.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runner/backend/backend.hpp"
#include "workflow/base/cancel.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner {

/// A one-off container run to completion: a Docker container action's step.
struct ContainerRun {
  std::string run_id;  // labels, like the job's
  std::string job_id;
  std::string image;
  std::optional<std::vector<std::string>> entrypoint;  // unset: the image's
  std::vector<std::string> args;                       // empty: the image's CMD
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<Mount> mounts;
  std::string workdir;  // empty: the image's
  std::chrono::milliseconds timeout{0};
  CancelToken* cancel = nullptr;
};

/// Receives the lines an image build prints.
using BuildOutput = std::function<void(const std::string&)>;

/// The container operations of Docker actions; the container backend implements it.
class ContainerActions {
public:
  virtual ~ContainerActions() = default;
  /// Makes `image` available locally according to the pull policy.
  [[nodiscard]] virtual Result<void> ensure_image(const std::string& image,
                                                  const std::optional<std::pair<std::string, std::string>>& credentials) = 0;
  /// Builds `dockerfile` of `context_dir` as `tag` unless an image with that tag exists already.
  [[nodiscard]] virtual Result<void> ensure_built_image(const std::string& context_dir, const std::string& dockerfile,
                                                        const std::string& tag, const BuildOutput& on_output) = 0;
  /// Runs a container to completion on the job's network (the host's when the job has none),
  /// streaming its output; the container is removed afterwards.
  [[nodiscard]] virtual Result<ExitStatus> run_container(const JobEnv& env, const ContainerRun& run, OutputSink& sink) = 0;
  /// The address containers on the engine's default network reach the host at; empty when unknown.
  [[nodiscard]] virtual std::string host_gateway() = 0;
};

}  // namespace pipeline::runner
