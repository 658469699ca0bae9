#pragma once
// `actions/checkout` done locally, as nektos/act does: the current repository is copied from the
// user's tree (it is already the workspace), another repository goes through the action cache.
#include <string>
#include <vector>

#include "actions/resolver.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::job {

/// The evaluated inputs of an `actions/checkout` step and where the job's workspace is.
struct CheckoutRequest {
  std::string repository;          // `repository:`; empty: the current one
  std::string ref;                 // `ref:`
  std::string path;                // `path:` under the workspace
  std::string fetch_depth;         // `fetch-depth:`
  std::string current_repository;  // github.repository
  std::string source;              // the user's repository on the host
  std::string workspace;           // the job's workspace on the host
};

/// True when `uses:` names actions/checkout at any version.
[[nodiscard]] bool is_checkout(const std::string& uses);

/// Performs the checkout; returns the notices to show (what could not be honoured locally).
[[nodiscard]] Result<std::vector<std::string>> local_checkout(const CheckoutRequest& request,
                                                              actions::Resolver& resolver);

}  // namespace pipeline::runner::job
