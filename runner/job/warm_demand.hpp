#pragma once
// Warm job containers, the run's side: which jobs will want the same job container, predicted
// from the workflow before they start, and how many of them are still to start. The container
// backend asks this count when one of them starts and makes that many containers ahead (capped),
// so jobs that wait for a slot or for their needs take a started container.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "runner/job/run_options.hpp"
#include "workflow/expr/evaluator.hpp"
#include "workflow/model.hpp"

namespace pipeline::runner::job {

/// What a job's container is made of, as far as it can be told before the job starts (the
/// image `runs-on` maps to or `container:` names, the container's options and volumes, whether
/// fetched actions are mounted): two jobs of one class create the same container. Nullopt for a
/// job that calls a workflow, has services, published ports or a container env, runs on the
/// host, or whose `runs-on`/`container:` does not evaluate in `context`.
[[nodiscard]] std::optional<std::string> warm_class(const workflow::Job& job, workflow::expr::EvalContext& context,
                                                    const RunOptions& options);

/// True when `condition` is `false` as written (`false`, `${{ false }}`): the job never runs.
[[nodiscard]] bool statically_false(std::string_view condition);

/// True when a job's steps use actions fetched into the cache (the job container mounts it).
[[nodiscard]] bool uses_fetched_actions(const workflow::Job& job);

/// How many jobs of each warm class are expected and have not started; thread-safe.
class WarmDemand {
public:
  /// `count` more jobs of `warm_class` will start.
  void expect(const std::string& warm_class, int count = 1);
  /// A job of `warm_class` started, or will not run after all.
  void started(const std::string& warm_class);
  /// The jobs of `warm_class` still to start.
  [[nodiscard]] int to_come(const std::string& warm_class) const;

private:
  mutable std::mutex m_mutex;
  std::map<std::string, int> m_to_come;
};

}  // namespace pipeline::runner::job
