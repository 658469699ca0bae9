#pragma once
// Where a hook's jobs run when no setting chose: in containers, as `pipe run` does, when the
// engine answers and every image the jobs need is already here; else on the host, said once.
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runner/job/run_options.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::hook {

/// The two questions the hook asks the container engine before a commit: no pull, no container.
class EngineProbe {
public:
  virtual ~EngineProbe() = default;
  /// The engine's address as a user would set it ("unix:///var/run/docker.sock"), for messages.
  [[nodiscard]] virtual std::string where() const = 0;
  /// Whether the engine answers (`/_ping`); the error says why not.
  [[nodiscard]] virtual Result<void> ping() = 0;
  /// Whether `image` is present locally (an image inspect; nothing is pulled).
  [[nodiscard]] virtual Result<bool> has_image(const std::string& image) = 0;
};

/// The probe of the engine DOCKER_HOST names (default /var/run/docker.sock); it connects at the
/// first question.
[[nodiscard]] std::unique_ptr<EngineProbe> engine_probe();

/// The image one hooked job would run in: its `container:` image, else what its `runs-on` maps to.
struct JobImage {
  std::string job;    // the job's id
  std::string image;  // an image name, never "host"; empty when an expression decides it
};

/// What the hook decided for one snapshot's jobs.
struct BackendDecision {
  job::BackendChoice backend = job::BackendChoice::docker;
  std::string notice;  // one line for stderr when the jobs fall back to the host; empty when said before
};

/// Chooses, for the default backend, between containers and the host, asking the probe each
/// question once per hook (a pre-push hook checks several commits) and saying each fallback once.
class DefaultBackend {
public:
  explicit DefaultBackend(EngineProbe& probe) : m_probe(probe) {}

  /// Containers when the engine answers and every image of `images` is present (one decided by
  /// an expression only needs the engine); the host otherwise, with a notice naming why and how
  /// to silence it. No image at all (every job on a host label) asks nothing: containers.
  [[nodiscard]] BackendDecision choose(const std::vector<JobImage>& images);

private:
  [[nodiscard]] std::optional<std::string> engine_missing();
  [[nodiscard]] std::string absent_images(const std::vector<JobImage>& images);
  [[nodiscard]] BackendDecision host(const std::string& why);

  EngineProbe& m_probe;
  std::optional<std::string> m_engine_error;  // set once the engine was asked: empty when it answered
  std::map<std::string, bool> m_present;
  std::set<std::string> m_said;
};

}  // namespace pipeline::runner::hook
