#pragma once
// A job's `container:` and `services:` evaluated with the job's contexts when it starts: the
// literal forms and the expression forms (`container: ${{ matrix.container }}`,
// `services: ${{ fromJSON(...) }}`) end up as the same plain specs for the backend.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runner/backend/backend.hpp"
#include "runner/job/contexts.hpp"
#include "workflow/expr/evaluator.hpp"
#include "workflow/model.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::job {

/// A `container:` or a service after evaluation.
struct EvaluatedContainer {
  std::string image;  // empty: as on GitHub, no container (the job runs as without `container:`; no service)
  std::optional<std::pair<std::string, std::string>> credentials;  // set when username and password are both given
  EnvList env;
  std::vector<std::string> ports;
  std::vector<std::string> volumes;
  std::string options;
  std::optional<std::vector<std::string>> entrypoint;  // services only
  std::vector<std::string> command;                    // services only
};

/// Evaluates a job's `container:` or one service; `what` names it in errors ("'container'", "service 'db'").
[[nodiscard]] Result<EvaluatedContainer> evaluate_container(const workflow::Container& container,
                                                            workflow::expr::EvalContext& context, std::string_view what);

/// Evaluates `services:` (its entries, or the one expression), leaving out services whose image is empty.
[[nodiscard]] Result<std::vector<ServiceSpec>> evaluate_services(const workflow::Job& job,
                                                                 workflow::expr::EvalContext& context);

}  // namespace pipeline::runner::job
