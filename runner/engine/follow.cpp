#include "runner/engine/follow.hpp"

namespace pipeline::runner::engine {

bool is_followed(std::string_view follow, std::string_view job) {
  if (follow.empty() || job == follow) {
    return true;
  }
  return job.size() > follow.size() + 1 && job.substr(0, follow.size()) == follow &&
         job.substr(follow.size(), 2) == " (";
}

bool shown_when_following(std::string_view follow, const Event& event) {
  if (event.job.empty() || is_followed(follow, event.job)) {
    return true;
  }
  switch (event.kind) {
    case EventKind::step_started:
    case EventKind::step_finished:
    case EventKind::output:
    case EventKind::group_start:
    case EventKind::group_end: return false;
    case EventKind::job_started:
    case EventKind::job_finished:
    case EventKind::annotation:
    case EventKind::notice:
    case EventKind::step_summary: return true;
  }
  return true;
}

}  // namespace pipeline::runner::engine
