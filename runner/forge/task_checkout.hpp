#pragma once
// The repository of a task, fetched from the forge into the task's workspace before the job
// starts, so `actions/checkout` of the current repository finds it checked out there (pipe's
// checkout of the current repository uses the workspace as it is).
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "workflow/base/result.hpp"

namespace pipeline::runner::forge {

/// Clones `<server_url>/<repository>.git` (from the task's github context) into the empty
/// `workspace` and checks out `sha`, authenticating with `token` as the forge's git server
/// expects it; returns the commit checked out. The token is never part of the URL.
[[nodiscard]] Result<std::string> clone_task_repository(const nlohmann::json& context,
                                                        const std::filesystem::path& workspace,
                                                        const std::string& token);

}  // namespace pipeline::runner::forge
