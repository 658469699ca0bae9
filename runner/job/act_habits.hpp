#pragma once
// Flags as act users type them: `-e payload.json`, --actor, --default-branch, --input-file and -q.
#include <memory>
#include <string>

#include "runner/engine/reporter.hpp"
#include "runner/git/git_context.hpp"
#include "runner/job/run_options.hpp"

namespace pipeline::runner::job {

/// act's `-e FILE`: when the event names an existing file, it is the payload (`--event-path`)
/// and the event is chosen as without `-e`. Returns the one-line notice to print, or "".
[[nodiscard]] std::string take_event_file(RunOptions& options);

/// --input-file FILE (default `.input` in `dir` when present): dotenv inputs, under --input.
[[nodiscard]] Result<void> read_input_files(RunOptions& options, const std::string& dir);

/// --actor and --default-branch over what the repository says.
void apply_repository_flags(const RunOptions& options, git::RepoInfo& repo);

/// The remote naming the repository: --remote-name, else `origin`.
[[nodiscard]] std::string remote_name(const RunOptions& options);

/// `-q`: the sink without step output (results, annotations and the summary stay).
[[nodiscard]] std::unique_ptr<engine::EventSink> quiet_if_asked(const RunOptions& options, std::unique_ptr<engine::EventSink> sink);

}  // namespace pipeline::runner::job
