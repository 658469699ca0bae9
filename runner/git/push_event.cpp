#include "runner/git/git_context.hpp"

namespace pipeline::runner::git {
namespace {

using Json = nlohmann::json;

const std::string k_zero_sha(40, '0');

std::string trim_trailing_newlines(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  return text;
}

std::string repository_name(const RepoInfo& repo) {
  const auto slash = repo.repository.find('/');
  return slash == std::string::npos ? repo.repository : repo.repository.substr(slash + 1);
}

Json repository_json(const RepoInfo& repo) {
  return Json{
      {"name", repository_name(repo)},
      {"full_name", repo.repository},
      {"owner", Json{{"login", repo.repository_owner}, {"name", repo.repository_owner}}},
      {"default_branch", repo.default_branch},
      {"master_branch", repo.default_branch},
  };
}

Json commit_json(const CommitInfo& head) {
  return Json{
      {"id", head.sha},
      {"tree_id", head.tree_sha},
      {"distinct", true},
      {"message", trim_trailing_newlines(head.message)},
      {"timestamp", head.timestamp},
      {"author", Json{{"name", head.author_name}, {"email", head.author_email}}},
      {"committer", Json{{"name", head.committer_name}, {"email", head.committer_email}}},
  };
}

}  // namespace

Json synthesize_push_event(const RepoInfo& repo, const CommitInfo& head) {
  const Json commit = commit_json(head);
  // A push of a root commit has no "before"; GitHub then reports created = true and the
  // all-zero sha, as it does for a new branch.
  const bool created = head.parent_sha.empty();
  return Json{
      {"ref", repo.ref},
      {"before", created ? k_zero_sha : head.parent_sha},
      {"after", head.sha},
      {"base_ref", nullptr},
      {"created", created},
      {"deleted", false},
      {"forced", false},
      {"compare", ""},
      {"commits", Json::array({commit})},
      {"head_commit", commit},
      {"repository", repository_json(repo)},
      {"pusher", Json{{"name", repo.actor}, {"email", repo.actor_email}}},
      {"sender", Json{{"login", repo.actor}}},
  };
}

}  // namespace pipeline::runner::git
